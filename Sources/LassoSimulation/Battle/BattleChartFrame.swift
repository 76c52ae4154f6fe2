import Foundation

extension Battle {
    /// What every chart of a battle report shares: the SVG canvas, a titled plot area with its
    /// value and time axes, and the scenario's faults as dashed orange lines. A chart adds its
    /// own series in between, placed with `x` and `y`.
    struct ChartFrame {
        let width = 900.0, height = 360.0, left = 60.0, right = 20.0, top = 30.0, bottom = 40.0
        /// The run's length: the time axis.
        let duration: Double
        /// The value at the top of the plot.
        let ceiling: Double

        var plotWidth: Double { width - left - right }
        var plotHeight: Double { height - top - bottom }

        /// The horizontal position of `ms` into the run, clamped to the plot.
        func x(_ ms: Double) -> Double { left + min(max(ms / duration, 0), 1) * plotWidth }
        /// The vertical position of `value`, clamped to the plot.
        func y(_ value: Double) -> Double { top + plotHeight - min(max(value, 0) / ceiling, 1) * plotHeight }

        /// The canvas, `title` (escaped already), the plot's border and both axes' labels.
        func opening(title: String) -> [String] {
            var parts = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
                         + "font-family=\"sans-serif\" font-size=\"11\">",
                         "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
                         "<text x=\"\(Int(left))\" y=\"18\" font-size=\"13\">\(title)</text>",
                         String(format: "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" stroke=\"#999\"/>",
                                left, top, plotWidth, plotHeight)]
            for step in 0...4 {
                let value = ceiling * Double(step) / 4
                parts.append(String(format: "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%.0f</text>", left - 4, y(value) + 4, value))
            }
            for step in 0...5 {
                let ms = duration * Double(step) / 5
                parts.append(String(format: "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%.1f s</text>",
                                    x(ms), height - bottom + 16, ms / 1000))
            }
            return parts
        }

        /// Each fault as a dashed orange line at its injection, labelled; with `spans`, also a band
        /// along the top until it was restored.
        func faultMarkers(_ faults: [Report.FaultSummary], spans: Bool) -> [String] {
            var parts: [String] = []
            for fault in faults {
                parts.append(String(format: "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"orange\" stroke-dasharray=\"4 3\"/>",
                                    x(fault.atMs), top, x(fault.atMs), top + plotHeight))
                if spans {
                    parts.append(String(format: "<rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"4\" fill=\"orange\" opacity=\"0.6\"/>",
                                        x(fault.atMs), top, max(1, x(fault.endMs) - x(fault.atMs))))
                }
                parts.append(String(format: "<text x=\"%.1f\" y=\"%.0f\" fill=\"#c60\" transform=\"rotate(90 %.1f %.0f)\">%@</text>",
                                    x(fault.atMs) + 3, top + 8, x(fault.atMs) + 3, top + 8, Reporter.escape(fault.description)))
            }
            return parts
        }
    }
}
