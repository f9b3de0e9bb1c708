// Tessera console: the only script the pages load (no inline script; see the Content-Security-Policy).
// An element with data-live="URL" is kept up to date by server-sent events from URL: each event's data is JSON
// {html} and replaces the element's content, so round counters and charts move without reloading the page.
'use strict';
document.addEventListener('DOMContentLoaded', () => {
  for (const el of document.querySelectorAll('[data-live]')) {
    const source = new EventSource(el.getAttribute('data-live'));
    const status = document.createElement('p');
    status.className = 'live-status';
    el.before(status);
    source.addEventListener('open', () => {
      status.textContent = 'live';
      status.dataset.state = 'open';
    });
    source.addEventListener('message', (e) => {
      const update = JSON.parse(e.data);
      if (typeof update.html === 'string') el.innerHTML = update.html;
    });
    source.addEventListener('end', () => {
      status.textContent = 'finished';
      status.dataset.state = 'end';
      source.close();
    });
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CLOSED) return;
      status.textContent = 'reconnecting…';
      status.dataset.state = 'reconnecting';
    });
  }
});
