import CareModel
import Foundation

extension CareSettings {
    /// Service billing (Docs/configuration.md, "Billing").
    public struct Billing: Sendable, Equatable {
        /// The share of the booked price an elder pays for a cancellation after the cut-off.
        public var lateCancellationPercent = 50
        /// The share an elder pays when the worker came and nobody opened the door.
        public var noShowPercent = 0
        /// The shared secret a payment provider signs its callbacks with; empty turns callbacks off.
        /// Secret: never logged.
        public var paymentWebhookSecret = ""

        public init() {}
    }
}

extension SettingKey {
    static let billingKeys: [SettingKey] = [
        .integer("billing.lateCancellationPercent", \.billing.lateCancellationPercent, 0...100),
        .integer("billing.noShowPercent", \.billing.noShowPercent, 0...100),
        .text(
            "billing.paymentWebhookSecret", \.billing.paymentWebhookSecret,
            allowed: "any text (it is kept out of messages and logs)", isValid: { _ in true }),
    ]
}
