using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using RichardSzalay.MockHttp;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>Malformed values and control characters from the server fail with the field named and never reach output raw.</summary>
    public class MalformedValueTests
    {
        [Theory]
        [InlineData("{\"id\":\"abc\",\"name\":\"a.example.com\"}", "'id'")]
        [InlineData("{\"id\":123456789012345678901234567890,\"name\":\"a.example.com\"}", "'id'")]
        [InlineData("{\"id\":1.5,\"name\":\"a.example.com\"}", "'id'")]
        [InlineData("{\"id\":1,\"name\":[1,2]}", "'name'")]
        [InlineData("{\"id\":1,\"name\":\"a.example.com\",\"www\":{}}", "'www'")]
        [InlineData("{\"id\":1,\"name\":\"evil\\u001b[2J\\r\\nFORGED.example.com\"}", "'name'")]
        [InlineData("{\"id\":1,\"name\":\"c1\\u009b31m.example.com\"}", "'name'")]
        public void AMalformedDomainIsAnInvalidResponseNamingTheField(string json, string field)
        {
            var data = Assert.Throws<InvalidResponseDataException>(() => RunCloudDomain.FromJson(JObject.Parse(json), 1, 2));
            Assert.Equal(field.Trim('\''), data.Field);
            RunCloudApiException ex = RunCloudApiException.InvalidData(data, "GET", "servers/1/webapps/2/domains");
            Assert.Equal(ErrorIds.InvalidResponse, ex.ErrorId);
            Assert.Contains(field, ex.Message);
            Assert.DoesNotContain('\u001b', ex.Message);
            Assert.DoesNotContain('\n', ex.Message);
        }

        [Theory]
        [InlineData("{\"data\":[],\"meta\":{\"pagination\":\"many\"}}", "meta.pagination")]
        [InlineData("{\"data\":[],\"meta\":[1]}", "meta")]
        [InlineData("{\"data\":[],\"meta\":{\"pagination\":{\"total\":\"lots\",\"total_pages\":1}}}", "meta.pagination.total")]
        [InlineData("{\"data\":[],\"meta\":{\"pagination\":{\"total\":1,\"total_pages\":99999999999999}}}", "meta.pagination.total_pages")]
        public async Task APageWithMalformedMetaIsAnInvalidResponseNamingTheField(string json, string field)
        {
            var mock = new MockHttpMessageHandler();
            mock.When("*").Respond(_ => ClientFactory.Json(HttpStatusCode.OK, json));
            using var connection = ClientFactory.Create(mock);
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() => connection.Api.GetPageAsync("servers/1/webapps/2/domains", 1, 40, CancellationToken.None));
            Assert.Equal(ErrorIds.InvalidResponse, ex.ErrorId);
            Assert.Contains("'" + field + "'", ex.Message);
        }

        [Fact]
        public async Task FindingADomainAmongMalformedNamesIsAnInvalidResponseNotAnArgumentException()
        {
            var mock = new MockHttpMessageHandler();
            mock.When("*").Respond(_ => ClientFactory.Json(HttpStatusCode.OK,
                "{\"data\":[{\"id\":1,\"name\":[1,2]}],\"meta\":{\"pagination\":{\"total\":1,\"total_pages\":1}}}"));
            using var connection = ClientFactory.Create(mock);
            var ex = await Assert.ThrowsAsync<InvalidResponseDataException>(() => connection.CreateService().FindDomainAsync(1, 2, "a.example.com", CancellationToken.None));
            Assert.Equal("name", ex.Field);
        }

        [Fact]
        public void EveryOtherServerStringIsKeptEscapedSoNoViewOrLogShowsItRaw()
        {
            RunCloudDomain d = RunCloudDomain.FromJson(JObject.Parse(
                "{\"id\":4,\"name\":\"ok.example.com\",\"status\":\"\u001b]0;pwned\u0007\u009b31m\",\"dns_integration\":\"a\r\nFORGED\"}"), 1, 2);
            Assert.Equal("\\x1B]0;pwned\\x07\\x9B31m", d.Status);
            Assert.Equal("a\\x0D\\x0AFORGED", d.DnsIntegration);
        }

        [Fact]
        public void ServerTextEscapesEveryControlCharacterVisibly()
        {
            Assert.Equal("a\\x1B[2J\\x0D\\x0Ab\\x9B\\x07\\x09\\x7F", ServerText.Escape("a\u001b[2J\r\nb\u009b\u0007\t\u007f"));
            Assert.Equal("plain.example.com", ServerText.Escape("plain.example.com"));
        }

        [Fact]
        public async Task AnErrorMessageFromTheServerIsEscaped()
        {
            var mock = new MockHttpMessageHandler();
            mock.When("*").Respond(_ => ClientFactory.Json((HttpStatusCode)422,
                "{\"message\":\"refused\\r\\n[ERROR] FORGED \\u001b[31mred\",\"errors\":{\"name\":[\"bad\\u001b]0;title\\u0007\"]}}"));
            using var connection = ClientFactory.Create(mock);
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() => connection.Api.SendAsync(System.Net.Http.HttpMethod.Post, "x", new { }, CancellationToken.None));
            Assert.False(ServerText.HasControl(ex.Message), ex.Message);
            Assert.Contains("\\x0D\\x0A[ERROR] FORGED \\x1B[31mred", ex.Message);
        }
    }
}
