// The connect benchmark's floor: the least a Node proxy does for a connection and its bytes,
// in a process of its own that imports nothing of vpclab. It carries bytes as `vpclab connect`
// does (the accepted socket adopted to read with onread, each direction into a buffer of its own
// growing from 64 KiB to 1 MiB, each read written on at once, reading paused while a write is
// pending) but has no trace, no log, no health and a tiny heap. What it costs next to a direct
// connection, any Node proxy costs on the machine; what `vpclab connect` costs beyond it is
// vpclab's own. Usage: node connectFloor.js BACKEND_PORT (prints "port N").
import net from "node:net";

const backendPort = Number(process.argv[2]);

/** One direction: `from`'s reads written to `to` (see Carry in src/live/proxy.ts). */
function carrier(): { onread: net.OnReadOpts; start(from: net.Socket, to: net.Socket): void } {
  let buffer = Buffer.allocUnsafe(64 * 1024);
  let from: net.Socket | undefined;
  let to: net.Socket | undefined;
  const written = (err?: Error | null): void => {
    if (!err && to!.writableLength === 0 && !from!.destroyed) from!.resume();
  };
  return {
    onread: {
      buffer: () => buffer,
      callback: (n, buf) => {
        if (to!.destroyed) return false;
        to!.write(n === buf.length ? buf : buf.subarray(0, n), written);
        if (n === buf.length && buf.length < 1 << 20) buffer = Buffer.allocUnsafe(buf.length * 2);
        return to!.writableLength === 0;
      },
    },
    start(f, t) {
      from = f;
      to = t;
      f.on("end", () => t.end());
      f.resume();
    },
  };
}

const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true }, (accepted) => {
  const up = carrier();
  const down = carrier();
  const s = accepted as net.Socket & { _handle: unknown };
  const handle = s._handle;
  s._handle = null;
  accepted.destroy();
  const client = new net.Socket({ handle, readable: true, writable: true, allowHalfOpen: true, pauseOnCreate: true, onread: up.onread } as net.SocketConstructorOpts);
  const upstream = net.connect({ host: "127.0.0.1", port: backendPort, noDelay: true, allowHalfOpen: true, onread: down.onread });
  const both = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.on("error", both);
  upstream.on("error", both);
  client.on("close", (hadError) => (hadError || !client.readableEnded) && upstream.destroy());
  upstream.on("close", (hadError) => (hadError || !upstream.readableEnded) && client.destroy());
  upstream.once("connect", () => {
    down.start(upstream, client);
    up.start(client, upstream);
  });
});
server.listen(0, "127.0.0.1", () => console.log(`port ${(server.address() as net.AddressInfo).port}`));
