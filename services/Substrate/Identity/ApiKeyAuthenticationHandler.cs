using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Platform.Substrate.Identity;

public sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions;

/// <summary>local_parity scheme: the <c>X-Api-Key</c> header looked up in the <see cref="IApiKeyDirectory"/>.</summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeyAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IApiKeyDirectory directory)
    : AuthenticationHandler<ApiKeyAuthenticationOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var values))
        {
            return AuthenticateResult.NoResult();
        }

        if (values.Count != 1 || string.IsNullOrEmpty(values[0]))
        {
            return AuthenticateResult.Fail($"Exactly one non-empty {HeaderName} header is required.");
        }

        var entry = await directory.FindAsync(values[0]!, Context.RequestAborted);
        if (entry is null)
        {
            return AuthenticateResult.Fail("Unknown API key.");
        }

        if (!ActorPrincipals.TryCreate(entry.Principal, entry.SourceType, entry.Roles, AuthMode.ApiKey, Scheme.Name, out var principal, out var error))
        {
            Logger.LogWarning("API key {KeyId} rejected: {Reason}", entry.KeyId, error);
            return AuthenticateResult.Fail(error);
        }

        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        IdentityProblems.WriteUnauthorizedAsync(Context, $"{SchemeName} header=\"{HeaderName}\"");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        IdentityProblems.WriteForbiddenAsync(Context);
}
