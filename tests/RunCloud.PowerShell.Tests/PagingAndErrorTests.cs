using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using System.Web;
using Newtonsoft.Json.Linq;
using RichardSzalay.MockHttp;
using Xunit;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Tests
{
    public class PagingTests
    {
        /// <summary>Serves pages of the given sizes; meta only when asked for. Records the pages requested.</summary>
        private static MockHttpMessageHandler Pages(List<int> requested, bool withMeta, params int[] sizes)
        {
            var mock = new MockHttpMessageHandler();
            int total = sizes.Sum();
            mock.When("*").Respond(req =>
            {
                var q = HttpUtility.ParseQueryString(req.RequestUri!.Query);
                int page = int.Parse(q["page"]!);
                Assert.Equal("40", q["perPage"]);
                lock (requested) requested.Add(page);
                int before = sizes.Take(page - 1).Sum();
                int count = page <= sizes.Length ? sizes[page - 1] : 0;
                var data = new JArray(Enumerable.Range(before + 1, count).Select(i => new JObject { ["id"] = i, ["name"] = $"d{i}.example.com", ["type"] = "alias" }));
                var body = new JObject { ["data"] = data };
                if (withMeta)
                {
                    body["meta"] = new JObject
                    {
                        ["pagination"] = new JObject
                        {
                            ["total"] = total, ["count"] = count, ["per_page"] = 40, ["current_page"] = page, ["total_pages"] = sizes.Length,
                            ["links"] = page < sizes.Length ? new JObject { ["next"] = $"https://rc.test/x?page={page + 1}" } : new JObject(),
                        },
                    };
                }

                return ClientFactory.Json(HttpStatusCode.OK, body.ToString());
            });
            return mock;
        }

        [Fact]
        public async Task ListDomainsWalksThreePagesWithAShortLastPage()
        {
            var requested = new List<int>();
            using var connection = ClientFactory.Create(Pages(requested, withMeta: true, 40, 40, 5));
            var seen = new List<(int, int?)>();
            var all = await connection.CreateService().ListDomainsAsync(1001, 2001, CancellationToken.None, (p, t) => seen.Add((p, t)));
            Assert.Equal(85, all.Count);
            Assert.Equal(Enumerable.Range(1, 85).Select(i => (long)i), all.Select(d => d.Id));
            Assert.All(all, d => { Assert.Equal(1001, d.ServerId); Assert.Equal(2001, d.WebAppId); });
            Assert.Equal(new[] { 1, 2, 3 }, requested);
            Assert.Equal(new (int, int?)[] { (1, 3), (2, 3), (3, 3) }, seen);
        }

        [Fact]
        public async Task WithoutMetaAShortPageEndsTheList()
        {
            var requested = new List<int>();
            using var connection = ClientFactory.Create(Pages(requested, withMeta: false, 40, 40, 7));
            var all = await connection.CreateService().ListDomainsAsync(1, 2, CancellationToken.None);
            Assert.Equal(87, all.Count);
            Assert.Equal(new[] { 1, 2, 3 }, requested);
        }

        [Fact]
        public async Task WithoutMetaAnEmptyPageEndsTheList()
        {
            var requested = new List<int>();
            using var connection = ClientFactory.Create(Pages(requested, withMeta: false, 40, 40));
            var all = await connection.CreateService().ListDomainsAsync(1, 2, CancellationToken.None);
            Assert.Equal(80, all.Count);
            Assert.Equal(new[] { 1, 2, 3 }, requested);
        }

        [Fact]
        public async Task MetaSayingLastPageStopsEvenWhenThePageIsFull()
        {
            var requested = new List<int>();
            using var connection = ClientFactory.Create(Pages(requested, withMeta: true, 40, 40));
            var all = await connection.CreateService().ListDomainsAsync(1, 2, CancellationToken.None);
            Assert.Equal(80, all.Count);
            Assert.Equal(new[] { 1, 2 }, requested);
        }

        [Fact]
        public async Task GetPageReadsMetaAndHasMore()
        {
            var requested = new List<int>();
            using var connection = ClientFactory.Create(Pages(requested, withMeta: true, 40, 40, 5));
            ApiPage p2 = await connection.Api.GetPageAsync("servers/1/webapps/2/domains", 2, 40, CancellationToken.None);
            Assert.Equal(85, p2.Total);
            Assert.Equal(3, p2.TotalPages);
            Assert.True(p2.HasMore);
            ApiPage p3 = await connection.Api.GetPageAsync("servers/1/webapps/2/domains", 3, 40, CancellationToken.None);
            Assert.False(p3.HasMore);
        }

        [Fact]
        public async Task FindDomainSearchesEveryPage()
        {
            var requested = new List<int>();
            using var connection = ClientFactory.Create(Pages(requested, withMeta: true, 40, 40, 5));
            var found = await connection.CreateService().FindDomainAsync(1, 2, "D83.example.com", CancellationToken.None);
            Assert.NotNull(found);
            Assert.Equal(83, found!.Id);
            Assert.Equal(new[] { 1, 2, 3 }, requested);
        }

        [Fact]
        public async Task AListWithoutDataIsAnInvalidResponse()
        {
            var mock = new MockHttpMessageHandler();
            mock.When("*").Respond(_ => ClientFactory.Json(HttpStatusCode.OK, "{\"message\":\"SSL not installed!\"}"));
            using var connection = ClientFactory.Create(mock);
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() => connection.Api.GetPageAsync("servers", 1, 40, CancellationToken.None));
            Assert.Equal(ErrorIds.InvalidResponse, ex.ErrorId);
        }
    }

    public class ErrorMappingTests
    {
        [Theory]
        [InlineData(401, "RunCloudAuthenticationFailed", ErrorCategory.AuthenticationError, "Invalid credentials.", "API key")]
        [InlineData(403, "RunCloudForbidden", ErrorCategory.PermissionDenied, "This action is unauthorized.", "plan")]
        [InlineData(404, "RunCloudNotFound", ErrorCategory.ObjectNotFound, "Server not found.", "server id")]
        [InlineData(422, "RunCloudValidationFailed", ErrorCategory.InvalidData, "The name has already been taken.", "field")]
        [InlineData(429, "RunCloudRateLimited", ErrorCategory.LimitsExceeded, "Too Many Attempts.", "-RateLimit")]
        [InlineData(500, "RunCloudServerError", ErrorCategory.ResourceUnavailable, "Server Error", "later")]
        [InlineData(503, "RunCloudServerError", ErrorCategory.ResourceUnavailable, "Service Unavailable", "later")]
        [InlineData(418, "RunCloudUnexpectedResponse", ErrorCategory.InvalidResult, "teapot", "-Debug")]
        public async Task StatusMapsToErrorIdCategoryMessageAndHint(int status, string errorId, ErrorCategory category, string apiMessage, string hintWord)
        {
            var mock = new MockHttpMessageHandler();
            var body = new JObject { ["message"] = apiMessage };
            if (status == 422) body["errors"] = new JObject { ["name"] = new JArray("The name has already been taken."), ["www"] = new JArray("The www field must be true or false.") };
            mock.When("*").Respond(_ => ClientFactory.Json((HttpStatusCode)status, body.ToString()));
            using var connection = ClientFactory.Create(mock, ClientFactory.FastRetry(maxAttempts: 1));
            connection.ServerId = 1001;
            connection.WebAppId = 2001;
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() => connection.Api.GetAsync("servers/1001/webapps/2001", CancellationToken.None));
            Assert.Equal(errorId, ex.ErrorId);
            Assert.Equal(category, ex.Category);
            Assert.Equal(status, ex.StatusCode);
            Assert.Equal(apiMessage, ex.ApiMessage);
            Assert.Contains(apiMessage, ex.Message);
            Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message);
            Assert.False(string.IsNullOrWhiteSpace(ex.Hint));
            Assert.Contains(hintWord, ex.Hint!);
            if (status == 404) Assert.Contains("1001", ex.Hint!);
            if (status == 422)
            {
                Assert.Equal(new[] { "The name has already been taken." }, ex.ValidationErrors["name"]);
                Assert.Contains("The www field must be true or false.", ex.Message);
            }

#if !NETFX_LANE
            // ErrorRecord's behaviour is the PowerShell engine's: the net472 lane runs without one (see its csproj).
            var record = RunCloud.PowerShell.Commands.ErrorRecords.FromApi(ex, "target-object");
            Assert.Equal(errorId, record.FullyQualifiedErrorId);
            Assert.Equal(category, record.CategoryInfo.Category);
            Assert.Equal("target-object", record.TargetObject);
            Assert.Equal(ex.Hint, record.ErrorDetails.RecommendedAction);
#endif
        }

        [Fact]
        public async Task NonJsonErrorBodyStillGivesTheStatus()
        {
            var mock = new MockHttpMessageHandler();
            mock.When("*").Respond(HttpStatusCode.BadGateway, "text/html", "<html>bad gateway</html>");
            using var connection = ClientFactory.Create(mock, ClientFactory.FastRetry(maxAttempts: 1));
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() => connection.Api.GetAsync("ping", CancellationToken.None));
            Assert.Equal(ErrorIds.ServerError, ex.ErrorId);
            Assert.Null(ex.ApiMessage);
        }

        [Fact]
        public async Task MalformedJsonOn200IsAnInvalidResponseAndPostMayHaveBeenApplied()
        {
            var mock = new MockHttpMessageHandler();
            mock.When("*").Respond("application/json", "{\"id\":1,\"na");
            using var connection = ClientFactory.Create(mock);
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() =>
                connection.Api.SendAsync(HttpMethod.Post, "servers/1/webapps/2/domains", new { name = "a.b.c" }, CancellationToken.None));
            Assert.Equal(ErrorIds.InvalidResponse, ex.ErrorId);
            Assert.True(ex.MayHaveBeenApplied);
        }

        [Fact]
        public async Task RequestsCarryAcceptAndJsonContentType()
        {
            var mock = new MockHttpMessageHandler();
            HttpRequestMessage? seen = null;
            string? body = null;
            mock.When("*").Respond(req => { seen = req; body = req.Content?.ReadAsStringAsync().GetAwaiter().GetResult(); return ClientFactory.Json(HttpStatusCode.OK, "{}"); });
            using var connection = ClientFactory.Create(mock);
            await connection.Api.SendAsync(HttpMethod.Post, "servers/1/webapps/2/domains", new DomainRequest { Name = "a.example.com" }.ToBody(), CancellationToken.None);
            Assert.Contains(seen!.Headers.Accept, a => a.MediaType == "application/json");
            Assert.Equal("application/json", seen.Content!.Headers.ContentType!.MediaType);
            Assert.Equal("https://rc.test/api/v3/servers/1/webapps/2/domains", seen.RequestUri!.ToString());
            var json = JObject.Parse(body!);
            Assert.Equal("a.example.com", (string?)json["name"]);
            Assert.Equal(JTokenType.Boolean, json["www"]!.Type);
        }
    }
}
