using System.Net;
using System.Net.Http.Json;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Infrastructure.OpenApi;

public sealed class DeclaredStatusesTests(RewardsApiFactory factory) : ApiTest(factory)
{
    private const string PutMember = "PUT /v1/programs/{programId}/members/{memberId}";

    [Fact]
    public void Undeclared_ReportsAStatusTheEntryLacks()
    {
        Assert.Null(DeclaredStatuses.Undeclared(PutMember, 200));
        Assert.Contains("does not declare", DeclaredStatuses.Undeclared(PutMember, 418));
        Assert.Throws<Xunit.Sdk.XunitException>(() => DeclaredStatuses.Of("GET /v1/nowhere"));
    }

    [Theory]
    [InlineData("/v1/programs/p-1/members/m-1", true)]
    [InlineData("/v1/programs/p-1/members/m-1?x=1", true)]
    [InlineData("/v1/programs/p-1/members/a%2Fb", true)]
    [InlineData("/v1/programs/p-1/members/", false)] // another route: the list
    [InlineData("/v1/programs/p-1/members/a/b", false)]
    [InlineData("/v1/programs//members/m-1", false)]
    public void IsOperationsUrl_MatchesTheTemplate(string url, bool expected) =>
        Assert.Equal(expected, DeclaredStatuses.IsOperationsUrl(PutMember, url));

    /// <summary>The drift issue 11 found: PUT of an erased member answers 409, which the document did not declare.</summary>
    [Fact]
    public async Task PutMember_OfAnErasedMember_Answers409_AndDeclaresIt()
    {
        var programId = await CreateProgramAsync("""{ "review": { "points": 10 } }""");
        var url = $"/v1/programs/{programId}/members/m-1";
        Assert.Equal(HttpStatusCode.Created, (await Client.PutAsJsonAsync(url, new { displayName = "Ann" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync(url)).StatusCode);

        var again = await Client.PutAsJsonAsync(url, new { displayName = "Ann" });

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Null(DeclaredStatuses.Undeclared(PutMember, (int)again.StatusCode));
    }

    /// <summary>Every operation declares the answers of the layers in front of its handler.</summary>
    [Fact]
    public void EveryV1Operation_Declares401_403_429_AndItsProgram404()
    {
        var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, OpenApiDocumentTests.CommittedPath)));
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/v1/", StringComparison.Ordinal)))
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var name = $"{operation.Name.ToUpperInvariant()} {path.Name}";
                var declared = DeclaredStatuses.Of(name);
                // The two anonymous operations (console sign-in, accepting an invitation) face the rate limiter only.
                var anonymous = !operation.Value.TryGetProperty("security", out _);
                Assert.True(declared.IsSupersetOf(anonymous ? [429] : [401, 403, 429]), $"{name}: {string.Join(", ", declared)}");
                Assert.True(!path.Name.Contains("{programId}") || declared.Contains(404), $"{name} names a program but does not declare 404");
            }
        }
    }
}
