import ArgumentParser
import Billing
import CareModel
import CareStore
import CurlHTTP
import Foundation

/// `eldercare billing …`: charge, close a month, and prove the books.
struct BillingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "billing",
        abstract: "Service billing: charge delivered services, close a month, verify the books.",
        subcommands: [Charge.self, Close.self, Verify.self, SimulatePayment.self])

    /// Opens and migrates the configured database, and runs `body` with billing's store.
    static func withBilling<T>(_ options: GlobalOptions, _ body: (BillingStore) async throws -> T) async throws -> T {
        let settings = try await options.settings()
        let database = try options.openDatabase(settings)
        defer { try? database.close() }
        try await database.migrate()
        do {
            return try await body(BillingStore(database))
        } catch let e as BillingRefusal {
            throw CLIError(e.sentence)
        } catch let e as StoreError {
            throw CLIError(e.description)
        }
    }

    struct Charge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Charge every billable event logged since the last run (the server does this in the background too).")
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let run = try await BillingCommand.withBilling(options) { try await $0.runCharges() }
            print("\(run.events) billable events read, \(run.charged) charged, up to change-log position \(run.position).")
        }
    }

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Close a month: charge what is waiting, pay the high-age allowances, and freeze the month.",
            discussion: "Anything that arrives for a closed month is charged in the next open one.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "The month to close, written 2026-10.") var month: String

        func run() async throws {
            guard let m = BillingMonth(month) else { throw CLIError("--month \(month) is not a month; write it as 2026-10.") }
            let closed = try await BillingCommand.withBilling(options) { try await $0.close(month: m, by: .commandLine) }
            print(
                "Closed \(closed.month): \(closed.charged) waiting events charged, \(closed.allowances) high-age allowances paid (\(Money(fen: closed.allowanceFen)))."
            )
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Prove the books: the ledger balances, every verified visit is charged exactly once, no voucher went negative, statements and settlements add up.",
            discussion: "Exits non-zero naming the first thing wrong.")
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let v = try await BillingCommand.withBilling(options) { try await $0.verify() }
            if let first = v.problems.first {
                throw CLIError("Billing does not verify: \(first) (\(v.problems.count) problems in all).")
            }
            print(
                "Billing verifies: \(v.transactions) ledger transactions balance; \(v.events) billable events, \(v.charges) charges, each once; \(v.statements) statements and \(v.settlements) settlements match the ledger."
            )
        }
    }

    struct SimulatePayment: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "simulate-payment",
            abstract: "Act as a payment provider: send a signed payment callback to a running server.",
            discussion:
                "Signs the payment with the shared secret (billing.paymentWebhookSecret on the server), as WeChat Pay or Alipay would.")
        @Option(help: "The server's address.") var server = "http://127.0.0.1:8080"
        @Option(help: "The shared secret.") var secret: String
        @Option(help: "The elder's id.") var elder: Int64
        @Option(help: "The amount in fen.") var amount: Int64
        @Option(help: "cash, wechat, alipay or bank.") var method = "alipay"
        @Option(help: "The provider's transaction number.") var ref: String

        func run() async throws {
            guard let m = PaymentMethod(rawValue: method) else {
                throw CLIError("--method \(method) is not a payment method; use cash, wechat, alipay or bank.")
            }
            let body = try CareJSON.encoder.encode(NewPayment(elderId: elder, amountFen: amount, method: m, externalRef: ref))
            var headers = SignedWebhook(secret: secret).headers(for: Array(body), now: Date())
            headers["Content-Type"] = "application/json"
            let client = try CurlClient(configuration: .init(usesEnvironmentProxy: false))
            let response: HTTPResponse
            do {
                response = try await client.send(
                    HTTPRequest(
                        method: .post, url: server + "/v1/billing/payment-callbacks",
                        headers: HTTPHeaders(headers.map { ($0.key, $0.value) }), body: body))
            } catch {
                await client.shutdown()
                throw CLIError("Could not reach \(server): \(error)")
            }
            await client.shutdown()
            let text = String(decoding: response.body, as: UTF8.self)
            guard response.status == 201 else { throw CLIError("The server answered \(response.status): \(text)") }
            print(text)
        }
    }
}
