// The connect benchmark's backend as a process of its own: this file imports nothing of vpclab,
// so the server's heap stays small. (A Node process reading with 'data' events pays for each
// mark-compact GC that the read buffers trigger in proportion to its live heap: the same sink
// loaded with vpclab's modules costs about three times the CPU per GiB, bench/README.md.) It
// serves both workloads: raw bytes on one port, HTTP (node:http) on another.
import { serveBackend, serveHttp } from "./connectWire.js";

void Promise.all([serveBackend(), serveHttp()]).then(([port, httpPort]) => console.log(`port ${port} http ${httpPort}`));
