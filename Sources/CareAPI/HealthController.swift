import Hummingbird
import Prometheus

/// Liveness, readiness and metrics: public, for load balancers and Prometheus.
struct HealthController: Sendable {
    let readiness: Readiness
    let metrics: PrometheusCollectorRegistry

    var routes: [APIRoute] {
        [
            APIRoute(.get, "/health", .public, health),
            APIRoute(.get, "/ready", .public, ready),
            APIRoute(.get, "/metrics", .public, scrape),
        ]
    }

    @Sendable func health(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        try JSONCoding.response(["status": "ok"])
    }

    @Sendable func ready(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        guard readiness.isReady else {
            throw APIError.notReady("Database migrations are still running.")
        }
        return try JSONCoding.response(["status": "ready"])
    }

    @Sendable func scrape(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer())))
    }
}
