import CareModel
import Foundation

/// Statements, settlements and reports as CSV (for spreadsheets) and as printable HTML pages in
/// Chinese. Amounts are printed in yuan with two decimals from the integer fen.
public enum BillingDocuments {
    static func yuan(_ fen: Int64) -> String { Money(fen: fen).yuanText }

    static let kindNames: [BillableEvent.Kind: String] = [
        .visitVerified: "上门服务", .mealDelivered: "助餐", .shoppingReceipt: "代购", .lateCancellation: "逾时取消", .noShow: "上门未遇",
    ]

    static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    static func csv(_ rows: [[String]]) -> String {
        rows.map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    static func html(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
            of: ">", with: "&gt;"
        )
        .replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="zh-CN"><head><meta charset="utf-8"><title>\(html(title))</title>
        <style>body{font-family:"Noto Sans CJK SC",sans-serif;margin:2em}table{border-collapse:collapse;width:100%}
        th,td{border:1px solid #444;padding:4px 8px}td.n{text-align:right}@media print{body{margin:0}}</style></head>
        <body><h1>\(html(title))</h1>
        \(body)
        </body></html>

        """
    }

    static func table(_ header: [String], _ rows: [[String]], numericFrom: Int) -> String {
        var out = "<table><thead><tr>" + header.map { "<th>\(html($0))</th>" }.joined() + "</tr></thead><tbody>\n"
        for r in rows {
            out +=
                "<tr>"
                + r.enumerated().map { i, v in i >= numericFrom ? "<td class=\"n\">\(html(v))</td>" : "<td>\(html(v))</td>" }.joined()
            out += "</tr>\n"
        }
        return out + "</tbody></table>\n"
    }

    // MARK: Statement

    static let statementHeader = ["日期", "服务", "类别", "服务价格", "长护险支付", "服务券支付", "个人自付", "代购商品", "个人应付"]

    static func statementRows(_ s: Statement) -> [[String]] {
        s.lines.map {
            [
                $0.date.description, $0.service, kindNames[$0.kind] ?? $0.kind.rawValue, yuan($0.priceFen), yuan($0.insuranceFen),
                yuan($0.voucherFen), yuan($0.elderFen), yuan($0.goodsFen), yuan($0.elderTotalFen),
            ]
        }
    }

    public static func csv(_ s: Statement) -> String {
        var rows = [statementHeader] + statementRows(s)
        rows.append(["上月结余", "", "", "", "", "", "", "", yuan(s.openingBalanceFen)])
        rows.append(["本月缴费", "", "", "", "", "", "", "", yuan(-s.paidFen)])
        rows.append(["高龄津贴", "", "", "", "", "", "", "", yuan(-s.allowanceFen)])
        rows.append(["冲正与退款", "", "", "", "", "", "", "", yuan(s.adjustmentsFen)])
        rows.append(["本月结余", "", "", "", "", "", "", "", yuan(s.closingBalanceFen)])
        return csv(rows)
    }

    public static func html(_ s: Statement) -> String {
        let title = "居家养老服务月度账单 \(s.month) · \(s.elderName)"
        var body = "<p>老人编号 \(s.elderId)\(s.closed ? "（已结账）" : "（本月未结账，金额可能变动）")</p>\n"
        body += table(statementHeader, statementRows(s), numericFrom: 3)
        body += table(
            ["项目", "金额（元）"],
            [
                ["上月结余（正数为欠费）", yuan(s.openingBalanceFen)], ["本月服务合计", yuan(s.chargedFen)],
                ["其中长护险支付", yuan(s.insuranceFen)], ["其中服务券支付", yuan(s.voucherFen)], ["个人应付", yuan(s.elderShareFen)],
                ["本月缴费", yuan(s.paidFen)], ["高龄津贴", yuan(s.allowanceFen)], ["冲正与退款", yuan(s.adjustmentsFen)],
                ["本月结余（正数为欠费）", yuan(s.closingBalanceFen)],
            ], numericFrom: 1)
        if !s.payments.isEmpty {
            body += "<h2>缴费记录</h2>\n"
            body += table(
                ["收据号", "方式", "金额（元）"], s.payments.map { [$0.receiptNumber, $0.method.rawValue, yuan($0.amountFen)] }, numericFrom: 2)
        }
        return page(title: title, body: body)
    }

    // MARK: Settlement

    static let settlementHeader = ["事件", "预约", "老人", "日期", "服务", "类别", "服务价格", "长护险", "服务券", "个人自付", "代购商品"]

    static func settlementRows(_ s: Settlement) -> [[String]] {
        s.lines.map {
            [
                $0.eventId, String($0.bookingId), String($0.elderId), $0.date.description, $0.service,
                kindNames[$0.kind] ?? $0.kind.rawValue,
                yuan($0.priceFen), yuan($0.insuranceFen), yuan($0.voucherFen), yuan($0.elderFen), yuan($0.goodsFen),
            ]
        }
    }

    public static func csv(_ s: Settlement) -> String {
        var rows = [settlementHeader] + settlementRows(s)
        rows.append(["合计", "", "", "", "", "", "", yuan(s.insuranceFen), yuan(s.voucherFen), yuan(s.elderFen), yuan(s.goodsFen)])
        rows.append(["机构供养补贴（\(s.placements)人）", "", "", "", "", "", "", "", "", "", yuan(s.placementFen)])
        rows.append(["冲正与退款", "", "", "", "", "", "", "", "", "", yuan(-s.adjustmentsFen)])
        rows.append(["应结总额", "", "", "", "", "", "", "", "", "", yuan(s.totalFen)])
        return csv(rows)
    }

    public static func html(_ s: Settlement) -> String {
        var body = "<p>服务机构编号 \(s.providerId)\(s.closed ? "（已结账）" : "（本月未结账）")；仅含已核验的服务。</p>\n"
        body += table(settlementHeader, settlementRows(s), numericFrom: 6)
        body += table(
            ["项目", "金额（元）"],
            [
                ["长护险应付", yuan(s.insuranceFen)], ["服务券资金应付", yuan(s.voucherFen)], ["财政资金合计", yuan(s.fundsFen)],
                ["老人自付", yuan(s.elderFen)], ["代购商品", yuan(s.goodsFen)], ["机构供养补贴（\(s.placements)人）", yuan(s.placementFen)],
                ["冲正与退款", yuan(-s.adjustmentsFen)], ["应结总额", yuan(s.totalFen)],
            ], numericFrom: 1)
        return page(title: "服务机构月度结算单 \(s.month) · \(s.providerName)", body: body)
    }

    // MARK: County report

    static let categoryNames: [String: String] = [
        "sanwu": "三无", "wubao": "五保", "dibao": "低保", "low_income": "低收入", "poor_disabled": "贫困失能", "semi_disabled": "半失能", "none": "无补贴类别",
    ]

    public static func csv(_ r: CountyReport) -> String {
        var rows: [[String]] = [["项目", "值"]]
        for c in r.eldersServed { rows.append(["服务老人（\(categoryNames[c.category] ?? c.category)）", String(c.elders)]) }
        rows += [
            ["服务券发放（元）", yuan(r.vouchersIssuedFen)], ["服务券使用（元）", yuan(r.vouchersUsedFen)], ["长护险支付（元）", yuan(r.insuranceFen)],
            ["高龄津贴人数", String(r.allowanceElders)], ["高龄津贴发放（元）", yuan(r.allowancesPaidFen)],
            ["机构供养补贴人数", String(r.placements)], ["机构供养补贴（元）", yuan(r.placementsPaidFen)],
        ]
        rows.append([])
        rows.append(["服务机构编号", "服务机构", "服务次数", "长护险（元）", "服务券（元）", "个人自付（元）"])
        for p in r.providers {
            rows.append([
                String(p.providerId), p.providerName, String(p.services), yuan(p.insuranceFen), yuan(p.voucherFen), yuan(p.elderFen),
            ])
        }
        return csv(rows)
    }

    public static func html(_ r: CountyReport) -> String {
        var summary = r.eldersServed.map { ["服务老人（\(categoryNames[$0.category] ?? $0.category)）", String($0.elders)] }
        summary += [
            ["服务券发放（元）", yuan(r.vouchersIssuedFen)], ["服务券使用（元）", yuan(r.vouchersUsedFen)], ["长护险支付（元）", yuan(r.insuranceFen)],
            ["高龄津贴人数", String(r.allowanceElders)], ["高龄津贴发放（元）", yuan(r.allowancesPaidFen)],
            ["机构供养补贴人数", String(r.placements)], ["机构供养补贴（元）", yuan(r.placementsPaidFen)],
        ]
        var body = "<p>\(r.closed ? "本月已结账。" : "本月未结账，数字可能变动。")</p>\n" + table(["项目", "值"], summary, numericFrom: 1)
        body += "<h2>各服务机构</h2>\n"
        body += table(
            ["编号", "服务机构", "服务次数", "长护险（元）", "服务券（元）", "个人自付（元）"],
            r.providers.map {
                [
                    String($0.providerId), $0.providerName, String($0.services), yuan($0.insuranceFen), yuan($0.voucherFen),
                    yuan($0.elderFen),
                ]
            },
            numericFrom: 2)
        return page(title: "养老服务补贴月报 \(r.month) · 县区 \(r.county)", body: body)
    }

    // MARK: Receipt

    public static func html(_ p: Payment, elderName: String) -> String {
        page(
            title: "服务缴费收据 \(p.receiptNumber)",
            body: table(
                ["项目", "内容"],
                [
                    ["收据号", p.receiptNumber], ["老人", "\(elderName)（编号 \(p.elderId)）"], ["金额（元）", yuan(p.amountFen)],
                    ["方式", p.method.rawValue], ["交易号", p.externalRef], ["缴费人", p.payer ?? ""], ["时间", Timestamp.string(p.receivedAt)],
                ], numericFrom: 2))
    }
}
