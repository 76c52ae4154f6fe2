import Lasso

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("--version") {
    print("lassod \(LassoVersion.string)")
} else {
    print("lassod \(LassoVersion.string): usage: lassod --version")
}
