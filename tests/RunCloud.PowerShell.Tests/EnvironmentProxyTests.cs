using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Auth;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Session;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>HttpClient.DefaultProxy is process-wide: nothing else may run while a test changes it.</summary>
    [CollectionDefinition(nameof(DefaultProxyCollection), DisableParallelization = true)]
    public sealed class DefaultProxyCollection
    {
    }

    /// <summary>
    /// Loopback bypasses any proxy: with HTTP_PROXY set (HttpClient.DefaultProxy is what .NET builds from it), a loopback -BaseUri
    /// still goes straight to loopback, so the bearer token never travels in clear to the proxy.
    /// </summary>
    [Collection(nameof(DefaultProxyCollection))]
    public class EnvironmentProxyTests
    {
        [Fact]
        public async Task TheEnvironmentProxyIsBypassedForALoopbackBaseUri()
        {
            using var target = new HostileServer(HostileMode.Normal);
            using var proxy = new HostileServer(HostileMode.Normal);
            IWebProxy saved = HttpClient.DefaultProxy;
            HttpClient.DefaultProxy = new WebProxy(new Uri($"http://127.0.0.1:{proxy.Port}/")) { BypassProxyOnLocal = false };
            try
            {
                using var connection = new RunCloudConnection(target.BaseUri, "v3", RunCloudCredential.ForToken(SecureText.FromPlain(HostileServer.Secret)),
                    "test", new RetryPolicy { MaxAttempts = 1, Timeout = TimeSpan.FromSeconds(10) }, 0, TimeSpan.FromMinutes(1), null);
                var answer = await connection.Api.GetAsync("ping", CancellationToken.None);
                Assert.Equal("pong", (string?)answer["message"]);
            }
            finally
            {
                HttpClient.DefaultProxy = saved;
            }

            Assert.Empty(proxy.Requests);
            Assert.Empty(proxy.Authorizations);
            Assert.Single(target.Requests);
        }
    }
}
