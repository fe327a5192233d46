using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Sockchat.E2E.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.E2E;

/// <summary>
/// TLS (a self-signed certificate pinned by fingerprint, remembered in known_hosts, or a PEM
/// certificate trusted as a CA), the server password, and the wrong protocol on a port: plain
/// on the TLS port, TLS on the plain port, HTTP on the chat port. Judged, as a user would, by
/// exit codes, the one line on stderr, and what joined clients see or never see.
/// </summary>
public sealed partial class SecurityTests(ITestOutputHelper output) : IClassFixture<InstalledTool>
{
    private const string Password = "pw";

    [Fact(Timeout = Timeouts.Test)]
    public async Task Join_clients_pinning_the_fingerprint_chat_both_ways_over_TLS_and_say_posts_there_too()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await StartTlsServerAsync(sandbox);
        var fingerprint = FingerprintOf(server);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice", "--tls-fingerprint", fingerprint);
        var bob = await ClientProcess.JoinAsync(sandbox, server.Port, "bob", "--tls-fingerprint", fingerprint);

        // Act
        await alice.TypeAsync("hello over tls");
        await bob.WaitForLineAsync(ChatLines.Message("alice", "hello over tls"));
        await bob.TypeAsync("encrypted reply");
        var say = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{server.Port}", "--tls-fingerprint", fingerprint, "x"]);

        // Assert
        await alice.WaitForLineAsync(ChatLines.Message("bob", "encrypted reply"));
        Assert.Equal(0, say.ExitCode);
        Assert.Empty(say.StderrLines);
        await alice.WaitForLineAsync(ChatLines.Message("ci", "x"));
        await bob.WaitForLineAsync(ChatLines.Message("ci", "x"));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task A_pinned_fingerprint_is_accepted_in_lower_case_with_colons()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await StartTlsServerAsync(sandbox);
        var fingerprint = FingerprintOf(server);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice", "--tls-fingerprint", fingerprint);
        var written = string.Join(':', fingerprint.Chunk(2).Select(pair => new string(pair))).ToLowerInvariant();

        // Act
        var say = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{server.Port}", "--tls-fingerprint", written, "pinned loosely"]);

        // Assert
        Assert.Equal(0, say.ExitCode);
        await alice.WaitForLineAsync(ChatLines.Message("ci", "pinned loosely"));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task Say_pinning_a_wrong_fingerprint_exits_3_with_one_line_and_its_message_never_reaches_the_room()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await StartTlsServerAsync(sandbox);
        var fingerprint = FingerprintOf(server);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice", "--tls-fingerprint", fingerprint);
        var wrong = OtherFingerprint(fingerprint);

        // Act
        var say = await sandbox.RunAsync(["say", "--name", "mallory", "--port", $"{server.Port}", "--tls-fingerprint", wrong, "intercepted"]);
        var marker = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{server.Port}", "--tls-fingerprint", fingerprint, "after the refusal"]);

        // Assert
        Assert.Equal(3, say.ExitCode);
        var error = Assert.Single(say.StderrLines);
        Assert.Contains(fingerprint, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", say.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, marker.ExitCode);
        // Messages arrive in order: once the later one is shown, the refused one would have been too.
        await alice.WaitForLineAsync(ChatLines.Message("ci", "after the refusal"));
        Assert.DoesNotContain(alice.Output.Lines, line => line.Contains("intercepted", StringComparison.Ordinal));
        Assert.DoesNotContain(alice.Output.Lines, line => line.Contains("mallory", StringComparison.Ordinal));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task Say_with_tls_against_an_unknown_self_signed_certificate_exits_3_naming_its_fingerprint()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await StartTlsServerAsync(sandbox);
        var fingerprint = FingerprintOf(server);

        // Act
        var say = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{server.Port}", "--tls", "unverified"]);

        // Assert
        Assert.Equal(3, say.ExitCode);
        var error = Assert.Single(say.StderrLines);
        Assert.Contains(fingerprint, error, StringComparison.Ordinal);
        Assert.Contains("--tls-fingerprint", error, StringComparison.Ordinal);
        Assert.DoesNotContain("CHANGED", error, StringComparison.Ordinal);
        // say never asks, so it never remembers anything either.
        Assert.False(File.Exists(KnownHostsPath(sandbox)));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task Say_with_tls_trusts_the_fingerprint_remembered_in_known_hosts()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await StartTlsServerAsync(sandbox);
        var fingerprint = FingerprintOf(server);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice", "--tls-fingerprint", fingerprint);
        sandbox.WriteFile(KnownHostsPath(sandbox), $"127.0.0.1:{server.Port} {fingerprint}\n");

        // Act
        var say = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{server.Port}", "--tls", "remembered"]);

        // Assert
        Assert.Equal(0, say.ExitCode);
        Assert.Empty(say.StderrLines);
        await alice.WaitForLineAsync(ChatLines.Message("ci", "remembered"));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task Say_with_tls_refuses_a_certificate_other_than_the_one_in_known_hosts_saying_it_CHANGED()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await StartTlsServerAsync(sandbox);
        var fingerprint = FingerprintOf(server);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice", "--tls-fingerprint", fingerprint);
        var remembered = OtherFingerprint(fingerprint);
        var knownHosts = sandbox.WriteFile(KnownHostsPath(sandbox), $"127.0.0.1:{server.Port} {remembered}\n");

        // Act
        var say = await sandbox.RunAsync(["say", "--name", "mallory", "--port", $"{server.Port}", "--tls", "intercepted"]);
        var marker = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{server.Port}", "--tls-fingerprint", fingerprint, "after the refusal"]);

        // Assert
        Assert.Equal(3, say.ExitCode);
        var error = Assert.Single(say.StderrLines);
        Assert.Contains("CHANGED", error, StringComparison.Ordinal);
        Assert.Contains(fingerprint, error, StringComparison.Ordinal);
        Assert.Contains(remembered, error, StringComparison.Ordinal);
        // The remembered fingerprint is left alone: only the user decides it really changed.
        Assert.Equal($"127.0.0.1:{server.Port} {remembered}\n", File.ReadAllText(knownHosts));
        Assert.Equal(0, marker.ExitCode);
        await alice.WaitForLineAsync(ChatLines.Message("ci", "after the refusal"));
        Assert.DoesNotContain(alice.Output.Lines, line => line.Contains("intercepted", StringComparison.Ordinal));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task Say_without_tls_on_the_TLS_port_exits_3_with_a_line_mentioning_TLS_and_the_server_serves_on()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await StartTlsServerAsync(sandbox);
        var fingerprint = FingerprintOf(server);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice", "--tls-fingerprint", fingerprint);

        // Act
        var plain = await sandbox.RunAsync(["say", "--name", "plain", "--port", $"{server.Port}", "in the clear"]);
        var later = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{server.Port}", "--tls-fingerprint", fingerprint, "still serving"]);

        // Assert
        Assert.Equal(3, plain.ExitCode);
        var error = Assert.Single(plain.StderrLines);
        Assert.Contains("TLS", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", plain.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, later.ExitCode);
        await alice.WaitForLineAsync(ChatLines.Message("ci", "still serving"));
        Assert.DoesNotContain(alice.Output.Lines, line => line.Contains("in the clear", StringComparison.Ordinal));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task A_plain_text_client_on_the_TLS_port_is_disconnected_without_a_chat_line()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await StartTlsServerAsync(sandbox);
        var fingerprint = FingerprintOf(server);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice", "--tls-fingerprint", fingerprint);
        var nc = await RawClient.ConnectAsync(sandbox, server.Port, "nc-user");

        // Act
        await nc.SendLineAsync("nc-user");
        await nc.WaitForCloseAsync();
        await alice.TypeAsync("anyone in the clear?");

        // Assert
        await alice.WaitForLineAsync(ChatLines.Message("alice", "anyone in the clear?"));
        // Whatever came back (nothing, or a TLS alert) is not chat: no welcome, no message, no prompt.
        Assert.DoesNotContain(nc.Received.Lines, line => line.Contains("welcome", StringComparison.Ordinal));
        Assert.DoesNotContain(nc.Received.Lines, line => line.Contains("sockchat", StringComparison.Ordinal));
        Assert.DoesNotContain(nc.Received.Lines, line => line.Contains("anyone in the clear?", StringComparison.Ordinal));
        Assert.DoesNotContain(alice.Output.Lines, line => line.Contains("nc-user", StringComparison.Ordinal));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task A_TLS_client_on_the_plain_port_exits_3_with_a_line_mentioning_TLS_and_the_server_serves_on()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice");

        // Act
        var tls = await sandbox.RunAsync(["say", "--name", "secure", "--port", $"{server.Port}", "--tls", "wrapped"]);
        var later = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{server.Port}", "still serving"]);

        // Assert
        Assert.Equal(3, tls.ExitCode);
        var error = Assert.Single(tls.StderrLines);
        Assert.Contains("TLS", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", tls.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, later.ExitCode);
        await alice.WaitForLineAsync(ChatLines.Message("ci", "still serving"));
        Assert.DoesNotContain(alice.Output.Lines, line => line.Contains("wrapped", StringComparison.Ordinal));
        await server.Process.Stderr.WaitForAsync(line => line.Contains("TLS", StringComparison.Ordinal), "mentioning TLS");
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task Say_with_the_servers_password_posts_and_exits_0()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox, extraArgs: ["--password", Password]);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice", "--password", Password);

        // Act
        var say = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{server.Port}", "--password", Password, "let in"]);

        // Assert
        Assert.Equal(0, say.ExitCode);
        Assert.Empty(say.StderrLines);
        await alice.WaitForLineAsync(ChatLines.Message("ci", "let in"));
    }

    [Theory(Timeout = Timeouts.Test)]
    [InlineData("wrong")]
    [InlineData(null)]
    public async Task Say_with_a_wrong_or_no_password_exits_4_with_auth_failed_and_posts_nothing(string? given)
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox, extraArgs: ["--password", Password]);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice", "--password", Password);
        string[] passwordArgs = given is null ? [] : ["--password", given];

        // Act
        var say = await sandbox.RunAsync(["say", "--name", "mallory", "--port", $"{server.Port}", .. passwordArgs, "guessing"]);
        var marker = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{server.Port}", "--password", Password, "after the refusal"]);

        // Assert
        Assert.Equal(4, say.ExitCode);
        Assert.Contains("auth_failed", Assert.Single(say.StderrLines), StringComparison.Ordinal);
        Assert.Equal(0, marker.ExitCode);
        await alice.WaitForLineAsync(ChatLines.Message("ci", "after the refusal"));
        Assert.DoesNotContain(alice.Output.Lines, line => line.Contains("guessing", StringComparison.Ordinal));
        Assert.DoesNotContain(alice.Output.Lines, line => line.Contains("mallory", StringComparison.Ordinal));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task The_password_from_SOCKCHAT_PASSWORD_reaches_say()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox, extraArgs: ["--password", Password]);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice", "--password", Password);
        var environment = new Dictionary<string, string> { ["SOCKCHAT_PASSWORD"] = Password };

        // Act
        var say = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{server.Port}", "from the environment"], environment: environment);

        // Assert
        Assert.Equal(0, say.ExitCode);
        Assert.Empty(say.StderrLines);
        await alice.WaitForLineAsync(ChatLines.Message("ci", "from the environment"));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task A_plain_text_client_gives_the_password_with_pass_then_a_nickname_and_chats_both_ways()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox, extraArgs: ["--password", Password]);
        var nc = await RawClient.ConnectAsync(sandbox, server.Port, "nc-user");

        // Act
        await nc.SendLineAsync($"/pass {Password}");
        await nc.WaitForLineAsync(PasswordAccepted());
        await nc.SendLineAsync("nc-user");
        await nc.WaitForLineAsync(ChatLines.Welcome("nc-user"));
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice", "--password", Password);
        await nc.WaitForLineAsync(ChatLines.Joined("alice"));
        await nc.SendLineAsync("hello from nc");
        await alice.WaitForLineAsync(ChatLines.Message("nc-user", "hello from nc"));
        await alice.TypeAsync("hi nc");

        // Assert
        await nc.WaitForLineAsync(ChatLines.Message("alice", "hi nc"));
        Assert.False(nc.Received.Ended);
    }

    [Theory(Timeout = Timeouts.Test)]
    [InlineData("/pass wrong")]
    [InlineData("nc-user")]
    public async Task A_plain_text_client_without_the_right_pass_is_told_auth_failed_and_disconnected(string firstLine)
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox, extraArgs: ["--password", Password]);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice", "--password", Password);
        var nc = await RawClient.ConnectAsync(sandbox, server.Port, "nc-user");

        // Act
        await nc.SendLineAsync(firstLine);
        await nc.WaitForLineAsync(AuthFailed());
        await nc.WaitForCloseAsync();
        await alice.TypeAsync("after the refusal");

        // Assert
        await alice.WaitForLineAsync(ChatLines.Message("alice", "after the refusal"));
        Assert.DoesNotContain(nc.Received.Lines, line => ChatLines.Welcome("nc-user").IsMatch(line));
        Assert.DoesNotContain(alice.Output.Lines, line => line.Contains("nc-user", StringComparison.Ordinal));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task Say_trusts_a_server_with_a_PEM_certificate_given_that_certificate_as_its_CA()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var (certificate, key) = WriteSelfSignedPem(sandbox, "server");
        var server = await ServerProcess.StartAsync(sandbox, extraArgs: ["--tls-cert", certificate, "--tls-key", key]);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice", "--ca", certificate);

        // Act
        var say = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{server.Port}", "--ca", certificate, "issued by a known CA"]);

        // Assert
        Assert.Equal(0, say.ExitCode);
        Assert.Empty(say.StderrLines);
        await alice.WaitForLineAsync(ChatLines.Message("ci", "issued by a known CA"));
        // The printed fingerprint is the one of the certificate in the PEM file.
        using var loaded = X509Certificate2.CreateFromPemFile(certificate, key);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(loaded.RawData)), FingerprintOf(server));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task Say_given_an_unrelated_CA_refuses_a_server_with_a_PEM_certificate_with_exit_code_3()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var (certificate, key) = WriteSelfSignedPem(sandbox, "server");
        var (unrelated, _) = WriteSelfSignedPem(sandbox, "unrelated");
        var server = await ServerProcess.StartAsync(sandbox, extraArgs: ["--tls-cert", certificate, "--tls-key", key]);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice", "--ca", certificate);

        // Act
        var say = await sandbox.RunAsync(["say", "--name", "mallory", "--port", $"{server.Port}", "--ca", unrelated, "wrong CA"]);

        // Assert
        Assert.Equal(3, say.ExitCode);
        Assert.Single(say.StderrLines);
        Assert.DoesNotContain("   at ", say.Stderr, StringComparison.Ordinal);
        await alice.TypeAsync("after the refusal");
        await alice.WaitForLineAsync(ChatLines.Message("alice", "after the refusal"));
        Assert.DoesNotContain(alice.Output.Lines, line => line.Contains("wrong CA", StringComparison.Ordinal));
    }

    /// <remarks>
    /// Fails at the time of writing: a certificate the --ca file does not vouch for is reported as
    /// "TLS handshake … failed (The remote certificate was rejected by the provided
    /// RemoteCertificateValidationCallback). Is the server using TLS? (leave out --tls for a plain
    /// server)": the server does use TLS, and dropping TLS is the wrong advice. TrustPolicy's CA
    /// branch returns false without setting <c>Failure</c>, so ChatClient falls back to its
    /// "not a TLS server" message.
    /// </remarks>
    [Fact(Timeout = Timeouts.Test)]
    public async Task Say_given_an_unrelated_CA_says_the_certificate_is_not_trusted_instead_of_suggesting_a_plain_server()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var (certificate, key) = WriteSelfSignedPem(sandbox, "server");
        var (unrelated, _) = WriteSelfSignedPem(sandbox, "unrelated");
        var server = await ServerProcess.StartAsync(sandbox, extraArgs: ["--tls-cert", certificate, "--tls-key", key]);

        // Act
        var say = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{server.Port}", "--ca", unrelated, "wrong CA"]);

        // Assert
        Assert.Equal(3, say.ExitCode);
        var error = Assert.Single(say.StderrLines);
        Assert.Contains("certificate", error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("leave out --tls", error, StringComparison.Ordinal);
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task An_HTTP_request_on_the_chat_port_gets_a_400_answer_and_is_closed_and_serve_logs_a_warning()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var browser = await RawClient.ConnectAsync(sandbox, server.Port, "browser");

        // Act: SendLineAsync appends the last "\n", so this is exactly "GET / HTTP/1.1\r\nHost: x\r\n\r\n".
        await browser.SendLineAsync("GET / HTTP/1.1\r\nHost: x\r\n\r");
        await browser.WaitForCloseAsync();

        // Assert
        Assert.StartsWith("HTTP/1.1 400", browser.Received.Lines.FirstOrDefault() ?? "", StringComparison.Ordinal);
        await server.Process.Stderr.WaitForAsync(
            line => line.Contains("warn", StringComparison.OrdinalIgnoreCase) && line.Contains("HTTP", StringComparison.Ordinal),
            "warning about HTTP");
        var say = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{server.Port}", "still serving"]);
        Assert.Equal(0, say.ExitCode);
    }

    /// <summary>Starts <c>serve --tls-self-signed</c>; its fingerprint line is already on stdout when this returns.</summary>
    private static Task<ServerProcess> StartTlsServerAsync(Sandbox sandbox) =>
        ServerProcess.StartAsync(sandbox, extraArgs: ["--tls-self-signed"]);

    /// <summary>
    /// The fingerprint from the server's <c>tls fingerprint HEX</c> line, which it prints before
    /// <c>listening on</c> and <c>web on https://…</c> (the web port has the same certificate): the three are the whole of its stdout.
    /// </summary>
    private static string FingerprintOf(ServerProcess server)
    {
        var lines = server.Process.Stdout.Lines;
        Assert.Equal(3, lines.Count);
        Assert.Equal(server.ListeningLine, lines[1]);
        Assert.Equal($"web on {server.WebUrl}", lines[2]);
        Assert.Equal("https", server.WebUrl!.Scheme);
        var match = FingerprintLine().Match(lines[0]);
        Assert.True(match.Success, $"the first stdout line of serve is not 'tls fingerprint HEX': {lines[0]}");
        return match.Groups["hex"].Value;
    }

    /// <summary>A well-formed SHA-256 fingerprint that is not <paramref name="fingerprint"/>.</summary>
    private static string OtherFingerprint(string fingerprint) =>
        (fingerprint[0] == '0' ? "1" : "0") + fingerprint[1..];

    private static string KnownHostsPath(Sandbox sandbox) => Path.Combine(sandbox.ConfigHome, "sockchat", "known_hosts");

    /// <summary>Writes a fresh self-signed certificate for 127.0.0.1 and its key as PEM files; returns their paths.</summary>
    private static (string Certificate, string Key) WriteSelfSignedPem(Sandbox sandbox, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=sockchat e2e {name}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(7));
        return (
            sandbox.WriteFile($"tls/{name}.crt.pem", certificate.ExportCertificatePem()),
            sandbox.WriteFile($"tls/{name}.key.pem", key.ExportPkcs8PrivateKeyPem()));
    }

    [GeneratedRegex(@"^tls fingerprint (?<hex>[0-9A-F]{64})$")]
    private static partial Regex FingerprintLine();

    [GeneratedRegex(@"^sockchat: password accepted")]
    private static partial Regex PasswordAccepted();

    [GeneratedRegex(@"^! auth_failed: ")]
    private static partial Regex AuthFailed();
}
