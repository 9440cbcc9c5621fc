namespace Platformctl.Secrets;

/// <summary>The manual rotation procedure in dev/prod (AWS Secrets Manager), printed by <c>secrets rotate --env dev|prod</c>.</summary>
public static class CloudRotationSteps
{
    public static IReadOnlyList<string> For(string secretName, string environment)
    {
        var record = $"platformctl secrets rotate {secretName} --env {environment} --record --version <new version> --run-id <platform_run_id>";
        var lines = new List<string>
        {
            $"Rotation of '{secretName}' in {environment}: AWS Secrets Manager, account of {environment}, region of components/{environment} (see deploy/aws-resources.md).",
        };
        lines.AddRange(secretName switch
        {
            ApiKeyRotation.SecretName =>
            [
                $"1. aws secretsmanager get-secret-value --secret-id {secretName}: add an entry with the same key_id, version + 1 and the SHA-256 of a new random key (never the raw key).",
                $"2. aws secretsmanager put-secret-value --secret-id {secretName} --secret-string file://allowlist.json (the old entry stays: both keys are valid).",
                "3. Hand the new raw key to its holder over the operators' secret channel; every app accepts it within 30 s (PLATFORM_SECRET_MAX_AGE_SECONDS), no restart.",
                "4. Check: GET /v1/identity/secret-versions on each app (operator) lists the new key_id@version.",
                "5. Once the holder has switched, remove the old entry the same way (the retire step).",
            ],
            SigningKeyRotation.SecretName =>
            [
                "1. Create a new signing key pair with the token issuer; note its kid.",
                $"2. Add the public JWK to the JWKS in '{secretName}' (aws secretsmanager put-secret-value); keep the old key in the set.",
                "3. Wait until every app lists the new kid (GET /v1/identity/secret-versions; at most 30 s, or at once on the first token with the new kid).",
                "4. Switch the issuer to sign with the new key.",
                "5. After the longest token lifetime has passed, remove the old JWK from the set (the retire step).",
            ],
            "postgres-connection-string" =>
            [
                "1. Rotate the RDS user's password with Secrets Manager rotation (or set a new one with aws rds modify-db-instance).",
                $"2. Put the new libpq DSN into '{secretName}' (sslmode=require).",
                "3. Components read it at sidecar start: kubectl -n platform rollout restart deployment (all apps with a state store).",
            ],
            "dapr-api-token" or "dapr-app-token" =>
            [
                $"1. aws secretsmanager put-secret-value --secret-id {secretName} --secret-string \"$(openssl rand -base64 32)\".",
                $"2. Let the External Secrets Operator re-sync the Kubernetes secret '{secretName}' (key token) in namespace platform.",
                "3. kubectl -n platform rollout restart deployment: app and sidecar read the token at start.",
            ],
            _ => throw new RotationException($"no rotation procedure for '{secretName}'; known: {string.Join(", ", Known)}"),
        });
        lines.Add($"Then record the rotation (SECRET_ROTATED governance fact, never the value): {record}");
        return lines;
    }

    public static IReadOnlyList<string> Known { get; } =
        [ApiKeyRotation.SecretName, SigningKeyRotation.SecretName, "postgres-connection-string", "dapr-api-token", "dapr-app-token"];
}
