import Foundation

/// Chooses the devices a command plays and gets their secrets.
///
/// Devices come from the admin API (`GET /v1/devices?status=active`), or from `--devices-file`.
/// Secrets come from the demo seed (default), the file, or `--rotate-secrets` (the simulator
/// rotates each chosen device's secret and keeps the new one). Only the chosen devices are
/// touched: a run never rotates more devices than it sends from.
struct DeviceDirectory {
    let settings: ServerSettings
    let source: SecretSource
    /// `deviceId,secret` lines in file order, when the source is a file.
    private let fileEntries: [(id: String, secret: String)]

    init(settings: ServerSettings, source: SecretSource) throws {
        self.settings = settings
        self.source = source
        if case .file(let path) = source {
            fileEntries = try Self.readDevicesFile(path)
        } else {
            fileEntries = []
        }
    }

    /// What a command asks for.
    struct Wish {
        var count: Int
        /// Types to take first, in this order; any type after them unless `onlyPreferred`.
        var preferredTypes: [String] = []
        var onlyPreferred = false
        /// At most one device per elder, so that every alarm opens a call of its own.
        var distinctElders = false
        /// Elders to leave alone (they have an open call, which a new alarm would join).
        var avoidElders: Set<Int64> = []
        /// Devices already used for something else.
        var excluding: Set<String> = []
    }

    /// Up to `wish.count` devices; fewer when there are not that many.
    func choose(_ wish: Wish) throws -> [SimDevice] {
        if case .file = source { return try chooseFromFile(wish) }
        let api = APIClient(settings)
        var chosen: [SimDevice] = []
        var taken = wish.excluding
        var elders = Set<Int64>()
        let passes: [String?] = wish.preferredTypes.map { $0 } + (wish.onlyPreferred ? [] : [nil])
        for type in passes where chosen.count < wish.count {
            let query = "/v1/devices?limit=500&status=active" + (type.map { "&type=\($0)" } ?? "")
            try api.forEachPage(query, of: DeviceRecord.self) { items in
                for record in items where chosen.count < wish.count {
                    guard record.status == "active", !taken.contains(record.id), !wish.avoidElders.contains(record.elderId),
                        !(wish.distinctElders && elders.contains(record.elderId))
                    else { continue }
                    // Seed-derived secrets only fit seeded devices (ids like SOS-00000042); a device
                    // registered by hand has a random secret the simulator cannot know.
                    if case .seed = source, !Self.looksSeeded(record.id) { continue }
                    chosen.append(
                        SimDevice(
                            id: record.id, type: record.type, elderId: record.elderId,
                            heartbeatSeconds: record.heartbeatSeconds))
                    taken.insert(record.id)
                    elders.insert(record.elderId)
                }
                return chosen.count < wish.count
            }
        }
        return chosen
    }

    /// One particular device (`--device ID`), looked up through the API when a token is at hand.
    func device(id: String) throws -> SimDevice {
        if case .file = source, !fileEntries.contains(where: { $0.id == id }) {
            throw SimError("The devices file has no line for \(id).")
        }
        guard settings.token != nil else {
            let type = SimDevice.guessedType(of: id)
            return SimDevice(id: id, type: type, elderId: nil, heartbeatSeconds: SimDevice.defaultHeartbeatSeconds(type: type))
        }
        let record = try APIClient(settings).get("/v1/devices/\(id)", as: DeviceRecord.self)
        guard record.status == "active" else {
            throw SimError("Device \(id) is \(record.status), not active: the server would refuse its events with 401.")
        }
        return SimDevice(id: record.id, type: record.type, elderId: record.elderId, heartbeatSeconds: record.heartbeatSeconds)
    }

    /// The secrets of `devices`, made into a keyring. With `--rotate-secrets` this rotates them
    /// (over a few connections, since a storm may take over 50,000 devices).
    func keyring(for devices: [SimDevice]) throws -> DeviceKeyring {
        var devices = devices
        let secrets: [String]
        switch source {
        case .seed(let seed):
            let demo = DemoSecrets(seed: seed)
            secrets = devices.map { demo.secret(for: $0.id) }
        case .file:
            let byId = Dictionary(fileEntries.map { ($0.id, $0.secret) }, uniquingKeysWith: { first, _ in first })
            secrets = devices.map { byId[$0.id] ?? "" }
        case .rotate:
            Console.say(
                "Rotating the secrets of \(Format.count(devices.count)) device\(devices.count == 1 ? "" : "s") (--rotate-secrets): the real devices can no longer sign until re-provisioned."
            )
            let results = try rotate(devices.map(\.id))
            secrets = results.map(\.secret)
            for i in devices.indices { devices[i].heartbeatSeconds = results[i].device.heartbeatSeconds }
        }
        return DeviceKeyring(devices: devices, secrets: secrets, hostHeader: settings.address.hostHeader)
    }

    // MARK: - Rotation

    private func rotate(_ ids: [String]) throws -> [RotatedSecret] {
        let settings = self.settings
        let results = Shared([RotatedSecret?](repeating: nil, count: ids.count))
        let firstError = Shared<String?>(nil)
        let done = Shared(0)
        Threads.forEach(ids.count, threads: 4, name: "rotate", state: { APIClient(settings) }) { api, i in
            guard firstError.value == nil else { return }
            do {
                let rotated = try api.post("/v1/devices/\(ids[i])/secret", as: RotatedSecret.self)
                results.withLock { $0[i] = rotated }
                let n = done.withLock { n -> Int in
                    n += 1; return n
                }
                if n % 5000 == 0 { Console.say("  \(Format.count(n)) of \(Format.count(ids.count)) rotated") }
            } catch {
                firstError.withLock { if $0 == nil { $0 = "Rotating the secret of \(ids[i]) failed: \(error)" } }
            }
        }
        if let message = firstError.value { throw SimError(message) }
        return results.value.map { $0! }
    }

    // MARK: - Devices file

    private func chooseFromFile(_ wish: Wish) throws -> [SimDevice] {
        // Preferred types first, by what the id says (SOS-…, FALL-…); the rest after.
        let rank: (String) -> Int = { id in
            guard let type = SimDevice.guessedType(of: id), let r = wish.preferredTypes.firstIndex(of: type) else {
                return wish.preferredTypes.count
            }
            return r
        }
        let ordered = fileEntries.enumerated()
            .filter { !wish.excluding.contains($0.element.id) }
            .filter { !wish.onlyPreferred || rank($0.element.id) < wish.preferredTypes.count }
            .sorted { (rank($0.element.id), $0.offset) < (rank($1.element.id), $1.offset) }
            .map(\.element.id)
        // Elder constraints need the registry; ask it one device at a time, only as far as needed.
        let needsRegistry = (wish.distinctElders || !wish.avoidElders.isEmpty) && settings.token != nil
        var chosen: [SimDevice] = []
        var elders = Set<Int64>()
        let api = APIClient(settings)
        for id in ordered where chosen.count < wish.count {
            if needsRegistry {
                guard let record = try? api.get("/v1/devices/\(id)", as: DeviceRecord.self), record.status == "active",
                    !wish.avoidElders.contains(record.elderId), !(wish.distinctElders && elders.contains(record.elderId))
                else { continue }
                elders.insert(record.elderId)
                chosen.append(SimDevice(id: id, type: record.type, elderId: record.elderId, heartbeatSeconds: record.heartbeatSeconds))
            } else {
                let type = SimDevice.guessedType(of: id)
                chosen.append(SimDevice(id: id, type: type, elderId: nil, heartbeatSeconds: SimDevice.defaultHeartbeatSeconds(type: type)))
            }
        }
        return chosen
    }

    /// `deviceId,secret` per line; blank lines, `#` comments and a `deviceId,secret` header are skipped.
    static func readDevicesFile(_ path: String) throws -> [(id: String, secret: String)] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw SimError("Cannot read the devices file \(path): \(error.localizedDescription)")
        }
        var entries: [(id: String, secret: String)] = []
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") || line.lowercased() == "deviceid,secret" { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 2, !fields[0].isEmpty, !fields[1].isEmpty else {
                throw SimError("Line \(n + 1) of \(path) is not deviceId,secret: \(line)")
            }
            entries.append((fields[0], fields[1]))
        }
        guard !entries.isEmpty else { throw SimError("The devices file \(path) lists no devices.") }
        return entries
    }

    /// Ids the seed command makes: a type prefix, a dash, eight digits.
    static func looksSeeded(_ id: String) -> Bool {
        guard SimDevice.guessedType(of: id) != nil, let dash = id.firstIndex(of: "-") else { return false }
        let digits = id[id.index(after: dash)...]
        return digits.count == 8 && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber)
    }
}
