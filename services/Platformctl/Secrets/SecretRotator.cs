using Dapr;
using Platform.Substrate.Environments;
using Platform.Substrate.Governance;
using Platform.Substrate.Identity;
using Platform.Substrate.Pinning;
using Platform.Substrate.Release;

namespace Platformctl.Secrets;

/// <summary>What <c>platformctl secrets rotate</c> was asked to do.</summary>
/// <param name="Version">dev/prod with <paramref name="Record"/>: the version the operator created (e.g. the key_id@version or kid).</param>
public sealed record RotateRequest(
    string SecretName,
    PlatformEnvironment Environment,
    string? SecretsFile,
    string? KeyId,
    bool RetireOld,
    bool Record,
    string? Version,
    string? RunId,
    string ActorId);

/// <summary>
/// The manual rotation procedure (seed §3). local_parity: changes the generated secrets file (a new API-key version
/// next to the old one, or a new key in the JWKS; <c>--retire-old</c> removes the older ones) and prints a new API key
/// once. dev/prod: prints the AWS Secrets Manager steps, and with <c>--record</c> records the rotation the operator
/// did. Every rotation emits SECRET_ROTATED with names, versions and a fingerprint, never a value.
/// </summary>
public sealed class SecretRotator(IFactSink facts, IFactSink fallback, TextWriter output, TimeProvider time, Func<string, string?> readVariable)
{
    public async Task<int> RunAsync(RotateRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            if (request.Environment != PlatformEnvironment.LocalParity)
            {
                return await CloudAsync(request, cancellationToken);
            }

            if (request.Record)
            {
                throw new RotationException("--record is for dev/prod; a local_parity rotation records itself");
            }

            return await LocalAsync(request, cancellationToken);
        }
        catch (Exception e) when (e is RotationException or InvalidGovernanceFactException or Platform.Substrate.Errors.PlatformStartupException)
        {
            await output.WriteLineAsync($"secrets rotate: {e.Message}");
            return 1;
        }
    }

    private async Task<int> LocalAsync(RotateRequest request, CancellationToken cancellationToken)
    {
        var path = request.SecretsFile ?? readVariable("PLATFORM_SECRETS_FILE")
            ?? throw new RotationException("no secrets file: pass --secrets-file or set PLATFORM_SECRETS_FILE (source $PLATFORM_STATE_DIR/env)");
        var file = LocalSecretsFile.Load(path);
        RotationOutcome outcome;
        switch (request.SecretName)
        {
            case ApiKeyRotation.SecretName:
                var allowlist = file.Get(ApiKeyRotation.SecretName) ?? throw new RotationException($"'{path}' holds no {ApiKeyRotation.SecretName}");
                outcome = request.RetireOld
                    ? ApiKeyRotation.RetireOld(allowlist, request.KeyId)
                    : ApiKeyRotation.AddVersion(allowlist, request.KeyId, ApiKeyRotation.NewRawKey);
                break;
            case SigningKeyRotation.SecretName:
                var current = file.Get(SigningKeyRotation.SecretName);
                var currentPrivate = file.Get(SigningKeyRotation.PrivateSecretName);
                (outcome, var privateSet) = request.RetireOld
                    ? SigningKeyRotation.RetireOld(current, currentPrivate)
                    : SigningKeyRotation.AddKey(current, currentPrivate);
                file.Set(SigningKeyRotation.PrivateSecretName, privateSet);
                break;
            default:
                throw new RotationException(
                    $"local_parity rotates {ApiKeyRotation.SecretName} and {SigningKeyRotation.SecretName}; '{request.SecretName}' is regenerated with the backing services (deploy/local_parity/backends-down.sh, then backends-up.sh)");
        }

        // A fact names a version that exists: the file is written first, and the fact is never lost afterwards.
        file.Set(request.SecretName, outcome.SecretValue);
        file.Save();
        var fingerprint = SecretVersion.FingerprintOf(outcome.SecretValue);
        await output.WriteLineAsync(outcome.Action == "added"
            ? $"{request.SecretName}: added {outcome.Version} in {path} (now {fingerprint}); older versions stay valid until --retire-old"
            : $"{request.SecretName}: retired {string.Join(", ", outcome.Retired)}; {outcome.Version} stays (now {fingerprint})");
        if (outcome.NewCredential is { } credential)
        {
            await output.WriteLineAsync($"new API key for {outcome.Version} (shown once, hand it over now): {credential}");
        }

        await output.WriteLineAsync(
            "Dapr's local file secret store reads the file when the sidecar starts: restart the sidecars (deploy/local_parity/run.sh or dapr run -f); "
            + $"the apps keep running and use {outcome.Version} within {SecretRefreshOptions.DefaultMaxAge.TotalSeconds:0} s, or on the first request that presents it.");
        await RecordAsync(request, outcome.Version, outcome.Action, fingerprint, outcome.Retired, cancellationToken);
        return 0;
    }

    private async Task<int> CloudAsync(RotateRequest request, CancellationToken cancellationToken)
    {
        var environment = request.Environment.ToWireName();
        if (!request.Record)
        {
            foreach (var line in CloudRotationSteps.For(request.SecretName, environment))
            {
                await output.WriteLineAsync(line);
            }

            return 0;
        }

        var version = string.IsNullOrWhiteSpace(request.Version)
            ? throw new RotationException("--record needs --version <the version you created> (e.g. key_id@version or the new kid)")
            : request.Version;
        _ = CloudRotationSteps.For(request.SecretName, environment); // refuses unknown secret names
        await RecordAsync(request, version, request.RetireOld ? "retired_old" : "added", null, [], cancellationToken);
        return 0;
    }

    private async Task RecordAsync(
        RotateRequest request, string version, string action, string? fingerprint, IReadOnlyList<string> retired, CancellationToken cancellationToken)
    {
        var runId = request.RunId ?? readVariable("PLATFORM_RUN_ID");
        if (runId is null)
        {
            runId = PlatformRunId.Mint(time.GetUtcNow());
            await output.WriteLineAsync($"no --run-id or PLATFORM_RUN_ID: recorded under a run id of its own, {runId}");
        }
        else if (!PlatformRunId.IsValid(runId))
        {
            throw new RotationException($"'{runId}' is not a platform_run_id (platform_YYYYMMDDTHHMMSSZ)");
        }

        var runtime = new PlatformRuntime(RotationFacts.SourceComponent, request.Environment, ServiceRelease.Resolve(request.Environment, readVariable));
        var actor = new GovernanceActor(request.ActorId, request.ActorId.StartsWith(ActorContext.SystemPrefix + ActorContext.Separator, StringComparison.Ordinal) ? SourceType.System : SourceType.Human, RotationFacts.SourceComponent);
        var fact = RotationFacts.SecretRotated(request.SecretName, version, action, fingerprint, retired, actor, runId, runtime, time.GetUtcNow());
        string where;
        try
        {
            where = await facts.RecordAsync(fact, cancellationToken);
        }
        catch (Exception e) when (e is DaprException or HttpRequestException or Grpc.Core.RpcException)
        {
            // The rotation happened; its record must not be lost with the sidecar.
            where = $"sidecar failed ({e.GetBaseException().Message}); " + await fallback.RecordAsync(fact, cancellationToken);
        }

        await output.WriteLineAsync($"SECRET_ROTATED {fact.FactId} ({request.SecretName} {version} {action}, actor {request.ActorId}): {where}");
    }
}
