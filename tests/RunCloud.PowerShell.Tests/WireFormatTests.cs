using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using RichardSzalay.MockHttp;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Http;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>What goes on the wire, compared with RunCloud's own v3 SDK and public clients: a field or shape they do not send is one the real API may reject.</summary>
    public class WireFormatTests
    {
        private static (MockHttpMessageHandler Mock, List<string> Bodies) Recording()
        {
            var bodies = new List<string>();
            var mock = new MockHttpMessageHandler();
            mock.When("*").Respond(req =>
            {
                lock (bodies) bodies.Add(req.Content == null ? string.Empty : req.Content.ReadAsStringAsync().Result);
                return ClientFactory.Json(HttpStatusCode.OK, "{\"id\":4001}");
            });
            return (mock, bodies);
        }

        [Fact]
        public async Task ExternalApiIsSentAsAnInteger()
        {
            var (mock, bodies) = Recording();
            using var connection = ClientFactory.Create(mock);
            var request = new SslInstallRequest { AuthorizationMethod = "dns-01", ExternalApi = 42 };
            await connection.CreateService().InstallSslAsync(1001, 2001, request, CancellationToken.None);
            JObject body = JObject.Parse(Assert.Single(bodies));
            Assert.Equal(JTokenType.Integer, body["externalApi"]!.Type);
            Assert.Equal(42L, (long)body["externalApi"]!);
        }

        [Fact]
        public async Task KeysWithNullValuesAreLeftOutOfTheBody()
        {
            var (mock, bodies) = Recording();
            using var connection = ClientFactory.Create(mock);
            await connection.CreateService().InstallSslAsync(1001, 2001, new SslInstallRequest(), CancellationToken.None);
            await connection.Api.SendAsync(new HttpMethod("PATCH"), "servers/1/webapps/2/ssl/3",
                new Dictionary<string, object?> { ["enableHsts"] = true, ["enableHttp"] = null, ["nested"] = new Dictionary<string, object?> { ["a"] = null, ["b"] = 1 } },
                CancellationToken.None);
            JObject install = JObject.Parse(bodies[0]);
            Assert.False(install.ContainsKey("externalApi"));
            Assert.DoesNotContain("null", bodies[0]);
            Assert.Equal("letsencrypt", (string?)install["provider"]);
            JObject patch = JObject.Parse(bodies[1]);
            Assert.Equal("{\"enableHsts\":true,\"nested\":{\"b\":1}}", patch.ToString(Newtonsoft.Json.Formatting.None));
        }

        [Fact]
        public async Task A401OnKeyAndSecretSaysRunCloudNowIssuesApiTokens()
        {
            var mock = new MockHttpMessageHandler();
            mock.When("*").Respond(_ => ClientFactory.Json(HttpStatusCode.Unauthorized, "{\"message\":\"Invalid credentials.\"}"));
            using var connection = ClientFactory.Create(mock, ClientFactory.FastRetry(maxAttempts: 1), basic: true);
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() => connection.Api.GetAsync("ping", CancellationToken.None));
            Assert.Equal(ErrorIds.AuthenticationFailed, ex.ErrorId);
            Assert.Contains("API token", ex.Hint!);
            Assert.Contains("legacy", ex.Hint!);
            Assert.Contains("-Token", ex.Hint!);
        }

        [Fact]
        public async Task A401OnATokenDoesNotTalkAboutLegacyKeys()
        {
            var mock = new MockHttpMessageHandler();
            mock.When("*").Respond(_ => ClientFactory.Json(HttpStatusCode.Unauthorized, "{\"message\":\"Invalid credentials.\"}"));
            using var connection = ClientFactory.Create(mock, ClientFactory.FastRetry(maxAttempts: 1));
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() => connection.Api.GetAsync("ping", CancellationToken.None));
            Assert.DoesNotContain("legacy", ex.Hint!);
            Assert.Contains("token", ex.Hint!);
        }
    }
}
