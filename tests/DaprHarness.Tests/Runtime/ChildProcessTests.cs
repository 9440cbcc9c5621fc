using System.Diagnostics;
using System.Text;
using Dapr.Client;
using Platform.Testing;

namespace DaprHarness.Tests.Runtime;

/// <summary>
/// The harness as scripts run it: a child process started with daprd's flags on the real local_parity resources
/// and config, probed with the real Dapr.Client (health is HTTP, secrets gRPC).
/// </summary>
public sealed class ChildProcessTests
{
    /// <summary>
    /// Also pins Shutdown (dapr/dapr release-1.17 pkg/api/universal/shutdown.go): the call answers, then the
    /// sidecar process exits.
    /// </summary>
    [Fact]
    public async Task The_harness_started_with_daprd_flags_serves_health_and_secrets_and_shuts_down_on_request()
    {
        var harnessDll = HarnessDll();
        var grpcPort = FreePort.Next();
        var httpPort = FreePort.Next();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(harnessDll);
        // Paths relative to the working directory, as scripts pass them.
        foreach (var arg in HarnessInstance.DaprdArgs("ig", grpcPort, httpPort, Path.Combine("components", "local_parity"), HarnessInstance.LocalParityConfig))
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in HarnessInstance.SidecarEnvironment())
        {
            start.Environment[name] = value;
        }
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        Assert.True(process.Start());
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var client = new DaprClientBuilder()
                .UseGrpcEndpoint($"http://127.0.0.1:{grpcPort}")
                .UseHttpEndpoint($"http://127.0.0.1:{httpPort}")
                .Build();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            var exited = process.WaitForExitAsync(timeout.Token);
            var ready = client.WaitForSidecarAsync(timeout.Token);
            if (await Task.WhenAny(ready, exited) == exited)
            {
                Assert.Fail($"the harness exited with code {process.ExitCode}:\n{Snapshot(output)}");
            }

            await ready;
            Assert.True(await client.CheckHealthAsync(timeout.Token), Snapshot(output));

            var secret = await client.GetSecretAsync("secretstore", "api-keys", cancellationToken: timeout.Token);
            Assert.Equal(BackendEnvironment.Current.Secrets["api-keys"], secret["api-keys"]);

            await client.ShutdownSidecarAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }

    /// <summary>DaprHarness.dll as built next to this test assembly's configuration and target framework.</summary>
    private static string HarnessDll()
    {
        var local = Path.Combine(AppContext.BaseDirectory, "DaprHarness.dll");
        if (File.Exists(local) && File.Exists(Path.Combine(AppContext.BaseDirectory, "DaprHarness.runtimeconfig.json")))
        {
            return local;
        }

        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var built = Path.Combine(RepoPaths.Root, "tests", "DaprHarness", "bin", testBin.Parent!.Name, testBin.Name, "DaprHarness.dll");
        Assert.True(File.Exists(built), $"{built} not found: build tests/DaprHarness first");
        return built;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
