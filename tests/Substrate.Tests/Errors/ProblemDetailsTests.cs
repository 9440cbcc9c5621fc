using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Substrate.Errors;

namespace Platform.Substrate.Tests.Errors;

public sealed class ProblemDetailsTests : IAsyncLifetime
{
    private const string SecretText = "Host=db;Password=hunter2";

    private WebApplication app = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        // Development would show the developer exception page if anything let an exception through.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddPlatformProblemDetails();
        builder.Services.AddAuthentication(HeaderAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, HeaderAuthenticationHandler>(HeaderAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorization();

        app = builder.Build();
        app.UsePlatformProblemDetails();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/items", () => TypedResults.Ok("item"));
        app.MapGet("/boom", string () => throw new InvalidOperationException(SecretText));
        app.MapGet("/conflict", string () => throw new PlatformProblemException(
            PlatformProblems.PolicyRevMismatch, "Expected policy_rev abc, in force def.", new Dictionary<string, object?> { ["expected_policy_rev"] = "abc" }));
        app.MapGet("/typed", () => PlatformProblems.RateLimited.ToResult("Retry in 2 seconds."));
        app.MapPost("/too-large", string () => throw new BadHttpRequestException(SecretText, StatusCodes.Status413PayloadTooLarge));
        app.MapGet("/teapot", () => Results.StatusCode(StatusCodes.Status418ImATeapot));
        app.MapGet("/governance", () => "ok").RequireAuthorization(policy => policy.RequireRole("governance"));
        await app.StartAsync();
        client = app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task An_unhandled_exception_is_a_500_problem_that_leaks_nothing()
    {
        using var response = await client.GetAsync(new Uri("/boom", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.DoesNotContain("hunter2", body, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(InvalidOperationException), body, StringComparison.Ordinal);
        var problem = await AssertProblemAsync(response, 500, "internal_error");
        Assert.False(problem.TryGetProperty("detail", out _));
    }

    [Fact]
    public async Task An_unknown_route_is_a_404_problem_even_when_html_is_asked_for()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/nowhere?token=x", UriKind.Relative));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));

        using var response = await client.SendAsync(request);

        var problem = await AssertProblemAsync(response, 404, "not_found");
        Assert.Equal("/nowhere", problem.GetProperty("instance").GetString());
    }

    [Fact]
    public async Task A_wrong_method_is_a_405_problem()
    {
        using var response = await client.DeleteAsync(new Uri("/items", UriKind.Relative));

        await AssertProblemAsync(response, 405, "method_not_allowed");
    }

    [Fact]
    public async Task An_anonymous_caller_gets_a_401_problem()
    {
        using var response = await client.GetAsync(new Uri("/governance", UriKind.Relative));

        await AssertProblemAsync(response, 401, "unauthenticated");
    }

    [Fact]
    public async Task A_caller_without_the_role_gets_a_403_problem()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/governance", UriKind.Relative));
        request.Headers.Add(HeaderAuthenticationHandler.UserHeader, "alice");

        using var response = await client.SendAsync(request);

        await AssertProblemAsync(response, 403, "forbidden");
    }

    [Fact]
    public async Task A_caller_with_the_role_passes()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/governance", UriKind.Relative));
        request.Headers.Add(HeaderAuthenticationHandler.UserHeader, "alice");
        request.Headers.Add(HeaderAuthenticationHandler.RolesHeader, "governance");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_thrown_platform_problem_keeps_its_code_detail_and_extensions()
    {
        using var response = await client.GetAsync(new Uri("/conflict", UriKind.Relative));

        var problem = await AssertProblemAsync(response, 409, "policy_rev_mismatch");
        Assert.Equal("Expected policy_rev abc, in force def.", problem.GetProperty("detail").GetString());
        Assert.Equal("abc", problem.GetProperty("expected_policy_rev").GetString());
        Assert.Equal(PlatformProblems.PolicyRevMismatch.Title, problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_problem_result_from_an_endpoint_gets_the_same_treatment()
    {
        using var response = await client.GetAsync(new Uri("/typed", UriKind.Relative));

        var problem = await AssertProblemAsync(response, 429, "rate_limited");
        Assert.Equal("Retry in 2 seconds.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_framework_request_error_keeps_its_status_but_not_its_text()
    {
        using var response = await client.PostAsync(new Uri("/too-large", UriKind.Relative), new StringContent("x"));
        var body = await response.Content.ReadAsStringAsync();

        await AssertProblemAsync(response, 413, "payload_too_large");
        Assert.DoesNotContain("hunter2", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_status_outside_the_catalogue_gets_a_generic_code()
    {
        using var response = await client.GetAsync(new Uri("/teapot", UriKind.Relative));

        var problem = await AssertProblemAsync(response, 418, "http_418");
        Assert.Equal("I'm a teapot", problem.GetProperty("title").GetString());
    }

    [Fact]
    public void The_catalogue_codes_are_unique_and_typed_under_one_base()
    {
        var problems = typeof(PlatformProblems).GetFields()
            .Where(field => field.FieldType == typeof(PlatformProblem))
            .Select(field => (PlatformProblem)field.GetValue(null)!)
            .ToList();

        Assert.Equal(problems.Count, problems.Select(p => p.Code).Distinct(StringComparer.Ordinal).Count());
        Assert.All(problems, p => Assert.Equal("https://errors.platform.local/" + p.Code, p.Type));
        Assert.All(problems, p => Assert.Matches("^[a-z][a-z0-9_]*$", p.Code));
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, int status, string code)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal($"https://errors.platform.local/{code}", problem.GetProperty("type").GetString());
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("trace_id").GetString()));
        Assert.False(problem.TryGetProperty("traceId", out _));
        return problem;
    }

    /// <summary>Authenticates from test headers so the framework's own 401 and 403 can be provoked.</summary>
    private sealed class HeaderAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "TestHeaders";
        public const string UserHeader = "X-Test-User";
        public const string RolesHeader = "X-Test-Roles";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Headers.TryGetValue(UserHeader, out var user))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var claims = new List<Claim> { new(ClaimTypes.Name, user.ToString()) };
            claims.AddRange(Request.Headers[RolesHeader].Select(role => new Claim(ClaimTypes.Role, role!)));
            var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
        }
    }
}
