// Vertical federated learning: parties hold different columns of the same customers. Protocol state and
// arithmetic only; the coordinator and participants wire them to services.
export {};
