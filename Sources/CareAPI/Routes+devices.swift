import CareModel
import CareStore
import Hummingbird

extension APIEnvironment {
    var deviceRoutes: [APIRoute] {
        [
            APIRoute(.post, "/v1/devices", .permission(.writeDevices)) { request, context in
                let who = try context.caller
                let created = try await database.registry.createDevice(try await decode(NewDevice.self, request), by: who)
                return try JSONCoding.response(created, status: .created, headers: .etag(created.device.version))
            },
            APIRoute(.get, "/v1/devices", .permission(.readDevices)) { request, context in
                let filter = DeviceFilter(elderId: try queryInt(request, "elderId"),
                                          type: try query(request, "type", as: DeviceType.self),
                                          status: try query(request, "status", as: DeviceStatus.self),
                                          region: queryText(request, "region"))
                return try JSONCoding.response(try await database.registry.devices(filter, page: try pageRequest(request)))
            },
            APIRoute(.get, "/v1/devices/:deviceId", .permission(.readDevices)) { _, context in
                let device = try await database.registry.device(id: context.parameters.get("deviceId") ?? "")
                return try JSONCoding.response(device, headers: .etag(device.version))
            },
            APIRoute(.patch, "/v1/devices/:deviceId", .permission(.writeDevices)) { request, context in
                let who = try context.caller
                let expected = try expectedVersion(request)
                let patch = try await decode(DevicePatch.self, request)
                let device = try await database.registry.updateDevice(id: context.parameters.get("deviceId") ?? "", patch,
                                                             expectedVersion: expected, by: who)
                return try JSONCoding.response(device, headers: .etag(device.version))
            },
            APIRoute(.post, "/v1/devices/:deviceId/secret", .permission(.writeDevices)) { _, context in
                let who = try context.caller
                let rotated = try await database.registry.rotateDeviceSecret(id: context.parameters.get("deviceId") ?? "", by: who)
                return try JSONCoding.response(rotated, headers: .etag(rotated.device.version))
            },
        ]
    }
}
