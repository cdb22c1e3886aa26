import CareModel
import CareStore
internal import GRDB

/// Billing's tables: tariffs, entitlements, elders' billing profiles, the charge job's cursor,
/// charges, the double-entry ledger (accounts, transactions, entries), payments and their
/// receipts, monthly voucher balances, allowances paid, and closed periods.
///
/// What is posted is never changed: the charges, the ledger, payments, allowances and closed
/// periods refuse UPDATE and DELETE in the database itself, and nothing can be posted into a
/// closed month. Corrections are new transactions that point to what they correct.
enum BillingSchema {
    static let migrations = [Migration("billing-v1", billing)]

    static func appendOnly(_ table: String) -> String {
        """
        CREATE TRIGGER \(table)_no_update BEFORE UPDATE ON \(table)
            BEGIN SELECT RAISE(ABORT, '\(table) is append-only: post a correction instead'); END;
        CREATE TRIGGER \(table)_no_delete BEFORE DELETE ON \(table)
            BEGIN SELECT RAISE(ABORT, '\(table) is append-only: post a correction instead'); END;
        """
    }

    static func notIntoClosedMonth(_ table: String) -> String {
        """
        CREATE TRIGGER \(table)_open_month BEFORE INSERT ON \(table)
            WHEN EXISTS (SELECT 1 FROM billing_period WHERE month = NEW.month)
            BEGIN SELECT RAISE(ABORT, 'billing_period_closed'); END;
        """
    }

    static func billing(_ db: Database) throws {
        try db.execute(
            sql: """
                -- A new price is a new row from a day on; provider_id 0 prices every provider without its own.
                CREATE TABLE billing_tariff (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    code TEXT NOT NULL,
                    provider_id INTEGER NOT NULL DEFAULT 0,
                    unit TEXT NOT NULL,
                    price_fen INTEGER NOT NULL CHECK (price_fen >= 0),
                    effective_from TEXT NOT NULL,
                    government_guided INTEGER NOT NULL DEFAULT 0,
                    created_at TEXT NOT NULL,
                    UNIQUE (code, provider_id, effective_from)
                );

                -- A county's rules from a day on, as JSON (the charge job reads them whole).
                CREATE TABLE billing_entitlement (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    county TEXT NOT NULL,
                    effective_from TEXT NOT NULL,
                    rules TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    UNIQUE (county, effective_from)
                );

                CREATE TABLE billing_profile (
                    elder_id INTEGER PRIMARY KEY REFERENCES elder(id) ON DELETE RESTRICT,
                    categories TEXT,
                    ltc_insured INTEGER NOT NULL DEFAULT 0,
                    placement_institution_id INTEGER REFERENCES institution(id) ON DELETE RESTRICT,
                    updated_at TEXT NOT NULL
                );

                -- How far the charge job has read the change log; advanced in the same transaction as the charges.
                CREATE TABLE billing_cursor (
                    name TEXT PRIMARY KEY NOT NULL,
                    position INTEGER NOT NULL
                ) WITHOUT ROWID;

                -- A month listed here is closed and never changes.
                CREATE TABLE billing_period (
                    month TEXT PRIMARY KEY NOT NULL,
                    closed_at TEXT NOT NULL,
                    closed_by TEXT NOT NULL
                ) WITHOUT ROWID;

                CREATE TABLE billing_account (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL,
                    owner TEXT NOT NULL
                );

                -- One posting: its entries sum to zero. `corrects` names the transaction a reversal or credit note corrects.
                CREATE TABLE billing_transaction (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    kind TEXT NOT NULL,
                    reference TEXT NOT NULL UNIQUE,
                    month TEXT NOT NULL,
                    corrects INTEGER REFERENCES billing_transaction(id),
                    memo TEXT NOT NULL DEFAULT '',
                    at TEXT NOT NULL
                );
                CREATE INDEX billing_transaction_by_month ON billing_transaction(month);

                -- Debits positive, credits negative.
                CREATE TABLE billing_entry (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    transaction_id INTEGER NOT NULL REFERENCES billing_transaction(id),
                    account_id INTEGER NOT NULL REFERENCES billing_account(id),
                    amount_fen INTEGER NOT NULL CHECK (amount_fen <> 0),
                    month TEXT NOT NULL
                );
                CREATE INDEX billing_entry_by_account ON billing_entry(account_id, month);
                CREATE INDEX billing_entry_by_transaction ON billing_entry(transaction_id);

                CREATE TABLE billing_charge (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    event_id TEXT NOT NULL UNIQUE,
                    position INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    booking_id INTEGER NOT NULL,
                    elder_id INTEGER NOT NULL,
                    provider_id INTEGER NOT NULL,
                    service TEXT NOT NULL,
                    tariff TEXT NOT NULL,
                    tariff_id INTEGER,
                    month TEXT NOT NULL,
                    service_date TEXT NOT NULL,
                    price_fen INTEGER NOT NULL CHECK (price_fen >= 0),
                    goods_fen INTEGER NOT NULL CHECK (goods_fen >= 0),
                    insurance_fen INTEGER NOT NULL CHECK (insurance_fen >= 0),
                    voucher_fen INTEGER NOT NULL CHECK (voucher_fen >= 0),
                    elder_fen INTEGER NOT NULL CHECK (elder_fen >= 0),
                    status TEXT NOT NULL,
                    transaction_id INTEGER REFERENCES billing_transaction(id),
                    created_at TEXT NOT NULL,
                    CHECK (insurance_fen + voucher_fen + elder_fen = price_fen)
                );
                CREATE INDEX billing_charge_by_elder ON billing_charge(elder_id, month);
                CREATE INDEX billing_charge_by_provider ON billing_charge(provider_id, month);
                CREATE INDEX billing_charge_by_month ON billing_charge(month);

                -- One elder's voucher and insurance use in one month.
                CREATE TABLE billing_voucher_balance (
                    elder_id INTEGER NOT NULL,
                    month TEXT NOT NULL,
                    granted_fen INTEGER NOT NULL CHECK (granted_fen >= 0),
                    used_fen INTEGER NOT NULL DEFAULT 0 CHECK (used_fen >= 0 AND used_fen <= granted_fen),
                    insurance_used_fen INTEGER NOT NULL DEFAULT 0 CHECK (insurance_used_fen >= 0),
                    PRIMARY KEY (elder_id, month)
                ) WITHOUT ROWID;

                CREATE TABLE billing_payment (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    elder_id INTEGER NOT NULL,
                    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
                    method TEXT NOT NULL,
                    external_ref TEXT NOT NULL UNIQUE,
                    payer TEXT,
                    receipt_number TEXT NOT NULL UNIQUE,
                    month TEXT NOT NULL,
                    received_at TEXT NOT NULL,
                    transaction_id INTEGER NOT NULL REFERENCES billing_transaction(id)
                );
                CREATE INDEX billing_payment_by_elder ON billing_payment(elder_id, month);

                -- Receipts are numbered without gaps per year.
                CREATE TABLE billing_receipt_sequence (
                    year INTEGER PRIMARY KEY,
                    last INTEGER NOT NULL
                );

                CREATE TABLE billing_allowance (
                    elder_id INTEGER NOT NULL,
                    month TEXT NOT NULL,
                    county TEXT NOT NULL,
                    age INTEGER NOT NULL,
                    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
                    transaction_id INTEGER NOT NULL REFERENCES billing_transaction(id),
                    PRIMARY KEY (elder_id, month)
                ) WITHOUT ROWID;

                -- The placement subsidy paid to an institution for a government-supported elder it houses.
                CREATE TABLE billing_placement (
                    elder_id INTEGER NOT NULL,
                    month TEXT NOT NULL,
                    institution_id INTEGER NOT NULL,
                    county TEXT NOT NULL,
                    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
                    transaction_id INTEGER NOT NULL REFERENCES billing_transaction(id),
                    PRIMARY KEY (elder_id, month)
                ) WITHOUT ROWID;
                CREATE INDEX billing_placement_by_institution ON billing_placement(institution_id, month);
                """)
        for table in [
            "billing_transaction", "billing_entry", "billing_charge", "billing_payment", "billing_allowance", "billing_placement",
            "billing_period",
        ] {
            try db.execute(sql: appendOnly(table))
        }
        for table in ["billing_transaction", "billing_entry", "billing_charge", "billing_allowance", "billing_placement"] {
            try db.execute(sql: notIntoClosedMonth(table))
        }
    }
}
