using Sockchat.Cli;

return await SockchatCli.RunAsync(args);
