using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Platform.Substrate.BuildingBlocks;

namespace Platform.Substrate.Identity;

/// <summary>
/// Which version of an identity secret a process is using, never its value: the secret's name, a fingerprint
/// (<c>sha256:</c> + the first 16 hex characters of the SHA-256 of the value as read), when it was loaded, and the
/// credential versions it holds (<c>key_id@version</c> for API keys, the <c>kid</c>s of a JWKS).
/// </summary>
public sealed record SecretVersion(string Name, string Fingerprint, DateTimeOffset LoadedAtUtc, IReadOnlyList<string> Versions)
{
    /// <summary>The fingerprint of a secret value: short, stable, and of no use for recovering the value.</summary>
    public static string FingerprintOf(string secretValue)
    {
        ArgumentNullException.ThrowIfNull(secretValue);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secretValue)))[..16];
    }
}

/// <summary>An identity component that can say which secret versions it uses (loading them if it has not yet).</summary>
public interface ISecretVersionReporter
{
    Task<IReadOnlyList<SecretVersion>> GetSecretVersionsAsync(CancellationToken cancellationToken);
}

/// <summary>
/// <c>GET /v1/identity/secret-versions</c>: the identity secret versions this process uses, for operators checking
/// that a rotation has been picked up. Operator role only; the answer holds names, fingerprints and key ids.
/// </summary>
public static class SecretVersionEndpoint
{
    public const string Path = "/v1/identity/secret-versions";

    internal static void Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet(Path, async (HttpContext http) =>
            {
                var reporters = new object?[]
                    {
                        http.RequestServices.GetService<IApiKeyDirectory>(),
                        http.RequestServices.GetService<SecretStoreJwtSettings>(),
                    }
                    .OfType<ISecretVersionReporter>();
                var versions = new List<SecretVersion>();
                foreach (var reporter in reporters)
                {
                    versions.AddRange(await reporter.GetSecretVersionsAsync(http.RequestAborted));
                }

                return Results.Json(new { Secrets = versions }, PlatformJson.Options);
            })
            .RequireAuthorization(WriterBoundaries.Operator);
}
