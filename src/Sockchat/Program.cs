using Sockchat.Cli;

// Not `await`: an async Main is one more state machine for the JIT at every start, and a console
// app has no synchronization context, so blocking here behaves the same.
return SockchatCli.RunAsync(args).GetAwaiter().GetResult();
