using System.Collections.Generic;
using System.Management.Automation;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using RichardSzalay.MockHttp;
using RunCloud.PowerShell.Http;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>An error names the ids the failed request used, not the connection's defaults: with -ServerId/-WebAppId given, the defaults would point at the wrong app.</summary>
    public class ErrorIdsUsedTests
    {
        private static MockHttpMessageHandler NotFound()
        {
            var mock = new MockHttpMessageHandler();
            mock.When("*").Respond(_ => ClientFactory.Json(HttpStatusCode.NotFound, "{\"message\":\"Web application not found.\"}"));
            return mock;
        }

        [Fact]
        public async Task A404NamesTheWebAppTheRequestUsedNotTheDefault()
        {
            using var connection = ClientFactory.Create(NotFound(), ClientFactory.FastRetry(maxAttempts: 1));
            connection.ServerId = 1001;
            connection.WebAppId = 2001;
            var ex = await Assert.ThrowsAsync<RunCloudApiException>(() => connection.Api.GetAsync("servers/1002/webapps/9999/domains/5", CancellationToken.None));
            Assert.Equal(1002, ex.ServerId);
            Assert.Equal(9999, ex.WebAppId);
            Assert.Contains("(9999)", ex.Hint!);
            Assert.Contains("(1002)", ex.Hint!);
            Assert.DoesNotContain("2001", ex.Hint!);
            Assert.DoesNotContain("1001", ex.Hint!);
        }

#if !NETFX_LANE
        // The cmdlet's ErrorRecord, from a PowerShell 7 runspace (PowerShellHost): not on the net472 lane.
        [Fact]
        public void GetRunCloudDomainWithAnotherWebAppIdNamesThatWebApp()
        {
            using var connection = ClientFactory.Create(NotFound(), ClientFactory.FastRetry(maxAttempts: 1));
            connection.ServerId = 1001;
            connection.WebAppId = 2001;
            using var host = new PowerShellHost();
            host.Invoke("Get-RunCloudDomain -Connection $c -WebAppId 9999 -Id 5", out var errors, new Dictionary<string, object> { ["c"] = connection });
            ErrorRecord error = Assert.Single(errors);
            Assert.StartsWith(ErrorIds.NotFound, error.FullyQualifiedErrorId);
            Assert.Contains("(9999)", error.ErrorDetails.RecommendedAction);
            Assert.DoesNotContain("2001", error.ErrorDetails.RecommendedAction);
        }
#endif
    }
}
