import CareModel
import CareStore
import Hummingbird

/// Devices in the registry: registration, status, and their signing secrets. Their events are
/// ``AlarmController``'s.
struct DeviceController: Sendable {
    let env: APIEnvironment
    let registry: RegistryStore

    var routes: [APIRoute] {
        [
            APIRoute(.post, "/v1/devices", .permission(.writeDevices), create),
            APIRoute(.get, "/v1/devices", .permission(.readDevices), list),
            APIRoute(.get, "/v1/devices/:deviceId", .permission(.readDevices), get),
            APIRoute(.patch, "/v1/devices/:deviceId", .permission(.writeDevices), update),
            APIRoute(.post, "/v1/devices/:deviceId/secret", .permission(.writeDevices), rotateSecret),
        ]
    }

    @Sendable func create(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let who = try context.caller
        let created = try await registry.createDevice(try await env.decode(NewDevice.self, request), by: who)
        return try JSONCoding.response(created, status: .created, headers: .etag(created.device.version))
    }

    @Sendable func list(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let filter = DeviceFilter(
            elderId: try env.queryInt(request, "elderId"),
            type: try env.query(request, "type", as: DeviceType.self),
            status: try env.query(request, "status", as: DeviceStatus.self),
            region: env.queryText(request, "region"))
        return try JSONCoding.response(try await registry.devices(filter, page: try env.pageRequest(request)))
    }

    @Sendable func get(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let device = try await registry.device(id: context.parameters.get("deviceId") ?? "")
        return try JSONCoding.response(device, headers: .etag(device.version))
    }

    @Sendable func update(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let who = try context.caller
        let expected = try env.expectedVersion(request)
        let patch = try await env.decode(DevicePatch.self, request)
        let device = try await registry.updateDevice(
            id: context.parameters.get("deviceId") ?? "", patch,
            expectedVersion: expected, by: who)
        return try JSONCoding.response(device, headers: .etag(device.version))
    }

    @Sendable func rotateSecret(_ request: Request, _ context: CareRequestContext) async throws -> Response {
        let who = try context.caller
        let rotated = try await registry.rotateDeviceSecret(id: context.parameters.get("deviceId") ?? "", by: who)
        return try JSONCoding.response(rotated, headers: .etag(rotated.device.version))
    }
}
