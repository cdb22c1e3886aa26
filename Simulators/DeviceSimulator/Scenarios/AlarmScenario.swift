import Foundation

/// The steps the one-device scenarios (sos, fall, cancel, smoke) share: choose a device, send
/// a signed event, find the call in the queue, check the event is stored.
struct AlarmScenario {
    let context: ScenarioContext
    var run: ScenarioRun { context.run }
    let keyring: DeviceKeyring
    let sender: EventSender
    let mint = RefMint()
    var device: SimDevice { keyring.devices[0] }

    /// Chooses a device of one of `types` whose elder has no call in the queue, or `--device`.
    init(context: ScenarioContext, deviceId: String?, types: [String], describing: String) throws {
        self.context = context
        let run = context.run
        let chosen: SimDevice
        if let deviceId {
            run.step("Using device \(deviceId), as asked.")
            chosen = try context.directory.device(id: deviceId)
        } else {
            run.step("Choosing \(describing) whose elder has no call in the queue (so the alarm opens a new call).")
            let busy = try CallQueue(api: context.api).eldersWithCalls()
            run.note("\(busy.count) elder\(busy.count == 1 ? " has" : "s have") a call in the queue already.")
            guard let first = try context.directory.choose(.init(count: 1, preferredTypes: types, avoidElders: busy)).first else {
                throw SimError("No active device the simulator can sign as was found (wrong --seed, or an empty registry?).")
            }
            chosen = first
        }
        keyring = try context.directory.keyring(for: [chosen])
        sender = EventSender(keyring: keyring, settings: context.settings)
        run.note("The device is \(keyring.devices[0].label), with \(context.secretOrigin).")
    }

    /// Sends one event now and narrates the answer.
    func send(_ spec: EventSpec, saying what: String) -> (ref: String, result: SendResult) {
        let ref = mint.next()
        let body = EventTemplate(spec).body(ref: ref, epochSeconds: SimClock.epochSeconds())
        run.step("\(device.id) \(what).")
        run.note("POST \(DeviceKeyring.eventsPath(device.id)) \(String(decoding: body, as: UTF8.self))")
        let started = SimClock.nanos()
        let result = sender.send(device: 0, body: body)
        let ms = SimClock.seconds(from: started, to: SimClock.nanos()) * 1000
        run.note(
            "The server answered \(result.summary) (\(Format.fixed(ms, 1)) ms\(result.retries > 0 ? ", after \(result.retries) retries with the same ref" : ""))."
        )
        if result.status == 401 {
            run.note(
                "401: the signature was refused. Is the secret right (--seed, --devices-file), and the clock within 40 s of the server's?")
        }
        return (ref, result)
    }

    /// Expects a 202 with `status` and a call; returns the call id.
    func expectCall(_ result: SendResult, status: String) -> Int64? {
        let ok = result.status == 202 && result.answer?.status == status && result.answer?.callId != nil
        run.expect(
            ok, "the answer is 202 \(status) with a call id" + (ok ? " (call \(result.answer!.callId!))" : ", but it was \(result.summary)")
        )
        return ok ? result.answer?.callId : nil
    }

    /// Finds the call in the queue and checks its priority, status and code.
    @discardableResult
    func checkQueue(callId: Int64, priority: String, status: String, code: String) throws -> CallRecord? {
        run.step("Looking for call \(callId) in the operators' queue (GET /v1/calls).")
        guard let call = try CallQueue(api: context.api).find(id: callId) else {
            run.expect(false, "call \(callId) is listed in the queue")
            return nil
        }
        run.note(
            "Call \(call.id): \(call.priority), code \(call.code), status \(call.status), device \(call.deviceId ?? "?"), \(call.eventCount.map { "\($0) event(s)" } ?? "")\(call.reason.map { ", reason: \($0)" } ?? "")."
        )
        run.expect(true, "call \(callId) is listed in the queue")
        run.expect(
            call.priority == priority, "its priority is \(priority)" + (call.priority == priority ? "" : ", but it is \(call.priority)"))
        run.expect(call.status == status, "its status is \(status)" + (call.status == status ? "" : ", but it is \(call.status)"))
        run.expect(call.code == code, "its code is \(code)" + (call.code == code ? "" : ", but it is \(call.code)"))
        return call
    }

    /// Checks the event is stored with the outcome the device was told.
    func checkStored(ref: String, outcome: String, callId: Int64?) throws {
        run.step("Checking that the platform stored event \(ref) (GET /v1/devices/\(device.id)/events).")
        guard let event = try Verifier.storedEvent(deviceId: device.id, ref: ref, api: context.api) else {
            run.expect(false, "event \(ref) is stored")
            return
        }
        run.expect(
            event.outcome == outcome && event.callId == callId,
            "event \(ref) is stored with outcome \(outcome)\(callId.map { " and call \($0)" } ?? "")"
                + (event.outcome == outcome && event.callId == callId
                    ? "" : ", but it has outcome \(event.outcome ?? "none") and call \(event.callId.map(String.init) ?? "none")"))
    }
}
