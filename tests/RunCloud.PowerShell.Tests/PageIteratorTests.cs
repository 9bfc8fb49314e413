using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using System.Web;
using Newtonsoft.Json.Linq;
using RichardSzalay.MockHttp;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Http;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// The one paging loop every listing goes through, and its distrust of the server's paging (a server that repeats or invents pages, the page parameters as RunCloud reads them):
    /// page by meta.pagination.total_pages, de-duplicate by id, refuse a repeated page or more pages than announced,
    /// and stop at a hard page cap.
    /// </summary>
    public class PageIteratorTests
    {
        /// <summary>A list server whose answer to each page is built by <paramref name="page"/> (page number -> body). Records the pages requested.</summary>
        private static MockHttpMessageHandler Server(List<int> requested, Func<int, JObject> page)
        {
            var mock = new MockHttpMessageHandler();
            mock.When("*").Respond(req =>
            {
                int n = int.Parse(HttpUtility.ParseQueryString(req.RequestUri!.Query)["page"]!);
                lock (requested) requested.Add(n);
                return ClientFactory.Json(HttpStatusCode.OK, page(n).ToString());
            });
            return mock;
        }

        private static JArray Items(int from, int count) =>
            new JArray(Enumerable.Range(from, count).Select(i => new JObject { ["id"] = i, ["name"] = $"d{i}.example.com", ["type"] = "alias" }));

        private static JObject Body(JArray data, int page, int? totalPages, int? total = null)
        {
            var body = new JObject { ["data"] = data };
            if (totalPages.HasValue)
            {
                body["meta"] = new JObject
                {
                    ["pagination"] = new JObject
                    {
                        ["total"] = total ?? 0, ["count"] = data.Count, ["per_page"] = 40, ["current_page"] = page, ["total_pages"] = totalPages.Value,
                    },
                };
            }

            return body;
        }

        [Fact]
        public async Task AShortPageDoesNotEndTheListWhenMorePagesAreAnnounced()
        {
            // A server that caps perPage below what was asked: page 2 is short, yet meta announces three pages.
            var requested = new List<int>();
            int[] sizes = { 40, 20, 40 };
            using var connection = ClientFactory.Create(Server(requested, n => Body(Items(sizes.Take(n - 1).Sum() + 1, sizes[n - 1]), n, 3, 100)));
            var all = await connection.CreateService().ListDomainsAsync(1, 2, CancellationToken.None);
            Assert.Equal(100, all.Count);
            Assert.Equal(new[] { 1, 2, 3 }, requested);
        }

        [Fact]
        public async Task AnEmptyPageEndsTheListEvenWhenMorePagesAreAnnounced()
        {
            var requested = new List<int>();
            using var connection = ClientFactory.Create(Server(requested, n => Body(n == 1 ? Items(1, 40) : new JArray(), n, 3, 120)));
            var all = await connection.CreateService().ListDomainsAsync(1, 2, CancellationToken.None);
            Assert.Equal(40, all.Count);
            Assert.Equal(new[] { 1, 2 }, requested);
        }

        [Fact]
        public async Task APageThatRepeatsAnEarlierPageIsAnInvalidResponse()
        {
            var requested = new List<int>();
            using var connection = ClientFactory.Create(Server(requested, n => Body(Items(1, 40), n, 3, 120)));
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() => connection.CreateService().ListDomainsAsync(1, 2, CancellationToken.None));
            Assert.Equal(ErrorIds.InvalidResponse, ex.ErrorId);
            Assert.Contains("page 2", ex.Message);
            Assert.Contains("repeats page 1", ex.Message);
            Assert.Equal(new[] { 1, 2 }, requested);
        }

        [Fact]
        public async Task ARepeatedPageWithoutMetaIsAnInvalidResponseToo()
        {
            var requested = new List<int>();
            using var connection = ClientFactory.Create(Server(requested, n => Body(Items(1, 40), n, null)));
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() => connection.CreateService().FindDomainAsync(1, 2, "nothere.example.com", CancellationToken.None));
            Assert.Equal(ErrorIds.InvalidResponse, ex.ErrorId);
            Assert.Contains("repeats page 1", ex.Message);
        }

        [Fact]
        public async Task MorePagesThanAnnouncedIsAnInvalidResponse()
        {
            // total_pages that keeps growing: each page announces one more.
            var requested = new List<int>();
            using var connection = ClientFactory.Create(Server(requested, n => Body(Items((n - 1) * 40 + 1, 40), n, n + 1)));
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() => connection.CreateService().ListDomainsAsync(1, 2, CancellationToken.None));
            Assert.Equal(ErrorIds.InvalidResponse, ex.ErrorId);
            Assert.Contains("announced 2 page(s)", ex.Message);
            Assert.Equal(new[] { 1, 2 }, requested);
        }

        [Fact]
        public async Task ItemsRepeatedAcrossPagesAreDeDuplicatedById()
        {
            // An item inserted while listing shifts the pages: page 2 starts with the last item of page 1.
            var requested = new List<int>();
            using var connection = ClientFactory.Create(Server(requested, n => Body(n == 1 ? Items(1, 40) : Items(40, 11), n, 2, 50)));
            var all = await connection.CreateService().ListDomainsAsync(1, 2, CancellationToken.None);
            Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), all.Select(d => d.Id));
        }

        [Fact]
        public async Task AnEndlessListStopsAtTheHardPageCapWithAClearError()
        {
            // No meta and always a full page of new ids: only the cap can end it.
            var requested = new List<int>();
            using var connection = ClientFactory.Create(Server(requested, n => Body(Items((n - 1) * 40 + 1, 40), n, null)));
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() => connection.CreateService().ListDomainsAsync(1, 2, CancellationToken.None));
            Assert.Equal(ErrorIds.InvalidResponse, ex.ErrorId);
            Assert.Contains(PageIterator.MaxPages.ToString(System.Globalization.CultureInfo.InvariantCulture) + " pages", ex.Message);
            Assert.Equal(PageIterator.MaxPages, requested.Count);
        }

        [Fact]
        public async Task TheCapFollowsTheAnnouncedTotal_12000DomainsAre300PagesRead()
        {
            // The old fixed cap (250 pages) refused any app over 10,000 domains; the cap now follows the announcement.
            var requested = new List<int>();
            using var connection = ClientFactory.Create(Server(requested, n => Body(Items((n - 1) * 40 + 1, 40), n, 300, 12000)));
            var all = await connection.CreateService().ListDomainsAsync(1, 2, CancellationToken.None);
            Assert.Equal(12000, all.Count);
            Assert.Equal(300, requested.Count);
        }

        [Fact]
        public async Task AnAnnouncedTotalPastTheSaneBoundIsRefusedNamingTheBound()
        {
            var requested = new List<int>();
            using var connection = ClientFactory.Create(Server(requested, n => Body(Items((n - 1) * 40 + 1, 40), n, 2501, 100001)));
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() => connection.CreateService().ListDomainsAsync(1, 2, CancellationToken.None));
            Assert.Equal(ErrorIds.InvalidResponse, ex.ErrorId);
            Assert.Contains("100,001 items in 2501 pages, more than the 100,000 items (2500 pages of 40)", ex.Message);
            Assert.Equal(new[] { 1 }, requested);
        }

        [Fact]
        public async Task MoreAnnouncedPagesThanTheCapIsRefusedBeforeReadingThem()
        {
            var requested = new List<int>();
            using var connection = ClientFactory.Create(Server(requested, n => Body(Items((n - 1) * 40 + 1, 40), n, PageIterator.MaxPages + 1)));
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() => connection.CreateService().ListDomainsAsync(1, 2, CancellationToken.None));
            Assert.Equal(ErrorIds.InvalidResponse, ex.ErrorId);
            Assert.Equal(new[] { 1 }, requested);
        }

#if !NETFX_LANE
        // The cmdlets over the same page rules, run in a PowerShell 7 runspace (PowerShellHost): not on the net472 lane.
        [Fact]
        public void GetRunCloudDomainListsThroughTheSamePageRules()
        {
            var requested = new List<int>();
            int[] sizes = { 40, 20, 40 };
            using var connection = ClientFactory.Create(Server(requested, n => Body(Items(sizes.Take(n - 1).Sum() + 1, sizes[n - 1]), n, 3, 100)));
            using var host = new PowerShellHost();
            var output = host.Invoke("Get-RunCloudDomain -Connection $c -ServerId 1 -WebAppId 2", out var errors, new Dictionary<string, object> { ["c"] = connection });
            Assert.Empty(errors);
            Assert.Equal(100, output.Count);
        }

        [Fact]
        public void GetRunCloudDomainReportsARepeatedPageAsAnInvalidResponse()
        {
            var requested = new List<int>();
            using var connection = ClientFactory.Create(Server(requested, n => Body(Items(1, 40), n, 3, 120)));
            using var host = new PowerShellHost();
            host.Invoke("Get-RunCloudDomain -Connection $c -ServerId 1 -WebAppId 2", out var errors, new Dictionary<string, object> { ["c"] = connection });
            ErrorRecord error = Assert.Single(errors);
            Assert.StartsWith(ErrorIds.InvalidResponse, error.FullyQualifiedErrorId);
        }

        [Fact]
        public void GetRunCloudServerWithSkipAndFirstReadsOnlyThePagesItNeeds()
        {
            var requested = new List<int>();
            using var connection = ClientFactory.Create(Server(requested, n => Body(Items((n - 1) * 40 + 1, 40), n, 5, 200)));
            using var host = new PowerShellHost();
            var output = host.Invoke("Get-RunCloudServer -Connection $c -Skip 85 -First 10", out var errors, new Dictionary<string, object> { ["c"] = connection });
            Assert.Empty(errors);
            Assert.Equal(Enumerable.Range(86, 10).Select(i => (long)i), output.Select(o => (long)o.Properties["Id"].Value));
            Assert.Equal(new[] { 3 }, requested);
        }
#endif
    }
}
