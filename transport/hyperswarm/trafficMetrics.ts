/**
 * What a node's cluster network carries, as Effect metrics tagged with the node's id (several
 * transports may share one process, as in tests): the bytes of knot/1 frames, i.e. gossip, on
 * authenticated links, and the bytes on the wire as udx counts them. udx counts what its streams
 * send (the frames plus Noise, UDX headers, acks and keepalives) but not the datagrams the DHT
 * sends outside streams, and every datagram it receives, the DHT's included.
 */
import { Effect, Metric } from "effect"

const frameBytesSent = Metric.counter("knot_cluster_frame_bytes_sent", {
  description: "bytes of knot/1 frames sent on authenticated links",
  incremental: true
})
const frameBytesReceived = Metric.counter("knot_cluster_frame_bytes_received", {
  description: "bytes of knot/1 frames received on authenticated links",
  incremental: true
})
const wireBytesSent = Metric.gauge("knot_cluster_wire_bytes_sent", {
  description: "bytes the node's links sent on UDP (frames and their overhead; not the DHT's datagrams)"
})
const wireBytesReceived = Metric.gauge("knot_cluster_wire_bytes_received", {
  description: "bytes received on the node's UDP sockets (links and DHT)"
})

export const trafficMetrics = (nodeId: string) => ({
  frameBytesSent: Metric.tagged(frameBytesSent, "node", nodeId),
  frameBytesReceived: Metric.tagged(frameBytesReceived, "node", nodeId),
  wireBytesSent: Metric.tagged(wireBytesSent, "node", nodeId),
  wireBytesReceived: Metric.tagged(wireBytesReceived, "node", nodeId)
})

export type TrafficMetrics = ReturnType<typeof trafficMetrics>

/** Totals since the node started; the wire ones as of the transport's last sample (every second). */
export interface Traffic {
  readonly frameBytesSent: number
  readonly frameBytesReceived: number
  readonly wireBytesSent: number
  readonly wireBytesReceived: number
}

/** The node's traffic so far: zeros for a node that has no cluster network. */
export const readTraffic = (nodeId: string): Effect.Effect<Traffic> => {
  const metrics = trafficMetrics(nodeId)
  return Effect.all({
    frameBytesSent: Effect.map(Metric.value(metrics.frameBytesSent), (state) => state.count),
    frameBytesReceived: Effect.map(Metric.value(metrics.frameBytesReceived), (state) => state.count),
    wireBytesSent: Effect.map(Metric.value(metrics.wireBytesSent), (state) => state.value),
    wireBytesReceived: Effect.map(Metric.value(metrics.wireBytesReceived), (state) => state.value)
  })
}
