import CareModel
import Foundation

/// The statistics return as documents: CSV for the statistics bureau, and a printable HTML report
/// (A4) with SVG bar charts per county against the target line and the trend across periods.
/// Both are written from the frozen figures alone, so they agree with the API digit for digit.
public enum ReturnDocuments {
    static func figure(_ x: Double?) -> String {
        guard let x else { return "" }
        return x == x.rounded() ? String(Int(x)) : String(format: "%.2f", x)
    }

    static func csvField(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    /// One line per indicator, then one per item behind it.
    public static func csv(_ r: OversightReturn) -> String {
        var lines = [
            "period,as_of,region,indicator,name_zh,name_en,unit,target,value,gap,met,item_kind,item_id,item_name,item_value,item_met,item_flag"
        ]
        for i in r.indicators {
            let head = [
                r.period.description, r.asOf.description, r.regionCode, i.id, i.nameZh, i.nameEn, i.unit.rawValue, figure(i.target),
                figure(i.value), figure(i.gap), i.met.map { $0 ? "yes" : "no" } ?? "",
            ].map(csvField)
            lines.append((head + ["", "", "", "", "", ""]).joined(separator: ","))
            for item in i.items {
                lines.append(
                    (head
                        + [
                            item.kind.rawValue, item.id, item.name, figure(item.value), item.met.map { $0 ? "yes" : "no" } ?? "",
                            item.flag ?? "",
                        ].map(csvField)).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Horizontal bars, one per row, scaled so the target line and the longest bar both fit.
    static func barChart(_ rows: [(label: String, value: Double?)], target: Double, unit: String) -> String {
        let rowHeight = 22, labelWidth = 150, chartWidth = 420
        let height = rows.count * rowHeight + 30
        let top = max(target * 1.25, rows.compactMap { $0.value }.max() ?? 0, 1)
        func x(_ v: Double) -> Int { labelWidth + Int(Double(chartWidth) * min(v, top) / top) }
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(labelWidth + chartWidth + 60)\" height=\"\(height)\" role=\"img\" font-size=\"11\" font-family=\"sans-serif\">"
        for (n, row) in rows.enumerated() {
            let y = n * rowHeight + 4
            svg += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 14)\" text-anchor=\"end\">\(escape(row.label))</text>"
            if let v = row.value {
                let colour = v >= target ? "#2e7d32" : "#c62828"
                svg +=
                    "<rect x=\"\(labelWidth)\" y=\"\(y + 2)\" width=\"\(x(v) - labelWidth)\" height=\"\(rowHeight - 8)\" fill=\"\(colour)\"/>"
                svg += "<text x=\"\(x(v) + 4)\" y=\"\(y + 14)\">\(figure(v))</text>"
            } else {
                svg += "<text x=\"\(labelWidth + 4)\" y=\"\(y + 14)\" fill=\"#777\">—</text>"
            }
        }
        let tx = x(target)
        svg +=
            "<line x1=\"\(tx)\" y1=\"0\" x2=\"\(tx)\" y2=\"\(height - 24)\" stroke=\"#1565c0\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>"
        svg +=
            "<text x=\"\(tx)\" y=\"\(height - 8)\" text-anchor=\"middle\" fill=\"#1565c0\">target \(figure(target)) \(escape(unit))</text>"
        return svg + "</svg>"
    }

    /// The printable report: a summary table, a chart per indicator with figures per county or
    /// institution, and the trend of every indicator across the frozen periods given.
    public static func html(_ r: OversightReturn, history: [OversightReturn] = []) -> String {
        var out = """
            <!DOCTYPE html>
            <html lang="zh-CN"><head><meta charset="utf-8"><title>养老服务监管统计报表 \(r.period)</title>
            <style>
            @page { size: A4; margin: 15mm; }
            body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; font-size: 11pt; color: #222; }
            table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; }
            th, td { border: 1px solid #999; padding: 3px 6px; text-align: left; }
            td.n { text-align: right; }
            section { page-break-inside: avoid; margin-bottom: 14px; }
            .no { color: #c62828; } .yes { color: #2e7d32; }
            </style></head><body>
            <h1>养老服务监管统计报表 · Eldercare oversight return</h1>
            <p>Period \(r.period), figures as of \(r.asOf), region \(escape(r.regionCode)); frozen \(escape(ISO8601DateFormatter().string(from: r.frozenAt))).</p>
            <h2>指标汇总 · Summary</h2>
            <table><thead><tr><th>指标 Indicator</th><th>目标 Target</th><th>现值 Value</th><th>差距 Gap</th><th>达标 Met</th></tr></thead><tbody>

            """
        for i in r.indicators {
            let met = i.met.map { $0 ? "<span class=\"yes\">✔</span>" : "<span class=\"no\">✘</span>" } ?? "—"
            out +=
                "<tr><td>\(escape(i.nameZh))<br><small>\(escape(i.nameEn))</small></td><td class=\"n\">\(figure(i.target))</td>"
                + "<td class=\"n\">\(i.available ? figure(i.value) : "n/a")</td><td class=\"n\">\(figure(i.gap))</td><td>\(met)</td></tr>\n"
        }
        out += "</tbody></table>\n"
        for i in r.indicators where i.available {
            let counties = i.items.filter { $0.kind == .county }
            let valued = counties.filter { $0.value != nil }
            out += "<section><h3>\(escape(i.nameZh)) · \(escape(i.nameEn))</h3>\n"
            if let note = i.note { out += "<p>\(escape(note))</p>\n" }
            if !valued.isEmpty {
                out += barChart(counties.map { ($0.name, $0.value) }, target: i.target, unit: i.unit.rawValue) + "\n"
            } else if !counties.isEmpty {
                out += barChart(counties.map { ($0.name, $0.met.map { $0 ? 100.0 : 0.0 }) }, target: i.target, unit: "%") + "\n"
            }
            let flagged = i.items.filter { $0.kind != .county && $0.met != true }
            if !flagged.isEmpty {
                out += "<table><thead><tr><th>未达标 Not met</th><th>Value</th><th>Note</th></tr></thead><tbody>"
                for item in flagged.prefix(50) {
                    out +=
                        "<tr><td>\(escape(item.name))</td><td class=\"n\">\(figure(item.value))</td><td>\(escape(item.flag ?? ""))</td></tr>"
                }
                if flagged.count > 50 { out += "<tr><td colspan=\"3\">… and \(flagged.count - 50) more (in the CSV)</td></tr>" }
                out += "</tbody></table>\n"
            }
            out += "</section>\n"
        }
        let periods = (history.filter { $0.period != r.period } + [r]).sorted { $0.period.description < $1.period.description }
        if periods.count > 1 {
            out += "<section><h2>趋势 · Trend across periods</h2><table><thead><tr><th>Indicator</th>"
            for p in periods { out += "<th>\(p.period)</th>" }
            out += "</tr></thead><tbody>"
            for i in r.indicators {
                out += "<tr><td>\(escape(i.nameZh))</td>"
                for p in periods {
                    out += "<td class=\"n\">\(figure(p.indicators.first { $0.id == i.id }?.value))</td>"
                }
                out += "</tr>"
            }
            out += "</tbody></table></section>\n"
        }
        return out + "</body></html>\n"
    }
}
