import CareStore
import Hummingbird
import Prometheus

extension APIEnvironment {
    /// Liveness, readiness and metrics: public, for load balancers and Prometheus.
    func healthRoutes(metrics: PrometheusCollectorRegistry) -> [APIRoute] {
        [
            APIRoute(.get, "/health", .public) { _, _ in
                try JSONCoding.response(["status": "ok"])
            },
            APIRoute(.get, "/ready", .public) { _, _ in
                guard readiness.isReady else {
                    throw APIError.notReady("Database migrations are still running.")
                }
                return try JSONCoding.response(["status": "ready"])
            },
            APIRoute(.get, "/metrics", .public) { _, _ in
                var headers = HTTPFields()
                headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer())))
            },
        ]
    }
}
