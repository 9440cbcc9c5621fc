using System.CommandLine;

namespace Platformctl.Smoke;

public static class SmokeCommand
{
    public static Command Create()
    {
        var apps = new Option<FileInfo>("--apps")
        {
            Description = "the apps table (app-id, app port, Dapr HTTP port, Dapr gRPC port), e.g. deploy/local_parity/apps.tsv",
            Required = true,
        };
        var timeout = new Option<int>("--wait-seconds")
        {
            Description = "how long to wait for each sidecar to become healthy",
            DefaultValueFactory = _ => 60,
        };
        var command = new Command("smoke", "check every app's sidecar: health, components in scope, state, object store, secrets, event bus")
        {
            apps,
            timeout,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var sidecars = SidecarTable.Read(parse.GetValue(apps)!.FullName);
            var check = new SmokeCheck(Console.Out, TimeSpan.FromSeconds(parse.GetValue(timeout)));
            return await check.RunAsync(sidecars, cancellationToken) ? 0 : 1;
        });
        return command;
    }
}
