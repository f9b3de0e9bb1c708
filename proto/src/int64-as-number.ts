// 64-bit integer fields decode as plain numbers (all our counts and offsets are < 2^53).
// Imported first by index.ts, before the generated code reads protobufjs' settings.
import protobuf from 'protobufjs/minimal.js';

protobuf.util.Long = undefined as never;
protobuf.configure();
