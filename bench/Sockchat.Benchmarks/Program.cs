using BenchmarkDotNet.Running;

// Micro-benchmarks of the hot paths: `dotnet run -c Release --project bench/Sockchat.Benchmarks -- --filter '*'`.
// Not part of CI; bench/run.sh measures whole servers.
BenchmarkSwitcher.FromAssembly(typeof(Sockchat.Benchmarks.CodecBenchmarks).Assembly).Run(args);
