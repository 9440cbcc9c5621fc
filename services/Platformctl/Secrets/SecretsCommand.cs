using System.CommandLine;
using Dapr.Client;
using Platform.Substrate.Environments;

namespace Platformctl.Secrets;

/// <summary><c>platformctl secrets rotate &lt;name&gt;</c>: the manual secret rotation procedure per environment.</summary>
public static class SecretsCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = $"the secret: {string.Join(", ", CloudRotationSteps.Known)}" };
        var env = new Option<string?>("--env") { Description = "local_parity, dev or prod (default: PLATFORM_ENV)" };
        var secretsFile = new Option<string?>("--secrets-file") { Description = "local_parity: the secrets file (default: PLATFORM_SECRETS_FILE)" };
        var keyId = new Option<string?>("--key-id") { Description = "api-keys: which key_id to rotate (needed when the allowlist holds several)" };
        var retireOld = new Option<bool>("--retire-old") { Description = "remove the older versions once every holder uses the new one" };
        var record = new Option<bool>("--record") { Description = "dev/prod: record a rotation done by the printed steps (SECRET_ROTATED)" };
        var version = new Option<string?>("--version") { Description = "dev/prod with --record: the version created" };
        var runId = new Option<string?>("--run-id") { Description = "the platform_run_id to record the fact under (default: PLATFORM_RUN_ID)" };
        var actor = new Option<string?>("--actor") { Description = "actor_id of the operator (default: HUMAN::<user name>)" };
        var rotate = new Command("rotate", "rotate a secret: local_parity does it, dev/prod prints the AWS Secrets Manager steps; emits SECRET_ROTATED")
        {
            name, env, secretsFile, keyId, retireOld, record, version, runId, actor,
        };
        rotate.SetAction(async (parse, cancellationToken) =>
        {
            var environmentName = parse.GetValue(env) ?? Environment.GetEnvironmentVariable(PlatformEnvironments.VariableName);
            if (!PlatformEnvironments.TryParse(environmentName, out var environment))
            {
                await Console.Error.WriteLineAsync($"secrets rotate: --env or PLATFORM_ENV must be one of {string.Join(", ", PlatformEnvironments.AllowedValues)}");
                return 2;
            }

            var request = new RotateRequest(
                parse.GetValue(name)!,
                environment,
                parse.GetValue(secretsFile),
                parse.GetValue(keyId),
                parse.GetValue(retireOld),
                parse.GetValue(record),
                parse.GetValue(version),
                parse.GetValue(runId),
                parse.GetValue(actor) ?? $"HUMAN::{Environment.UserName}");
            var fallback = new LocalFactLog(Path.Combine(
                Environment.GetEnvironmentVariable("PLATFORM_STATE_DIR") is { Length: > 0 } dir ? dir : "/tmp/platform-local_parity", "governance-facts"));
            using var client = string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DAPR_GRPC_ENDPOINT")) ? null : new DaprClientBuilder().Build();
            IFactSink sink = client is null ? fallback : new SidecarFactSink(client);
            var rotator = new SecretRotator(sink, fallback, Console.Out, TimeProvider.System, Environment.GetEnvironmentVariable);
            return await rotator.RunAsync(request, cancellationToken);
        });
        return new Command("secrets", "secret management procedures") { rotate };
    }
}
