using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using RichardSzalay.MockHttp;
using RunCloud.PowerShell.Auth;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Session;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>Sessions like PSOpenAD's: a default per runspace, one limiter per account, replacing closes, closing never breaks a request in flight.</summary>
    [Collection(SessionCollection.Name)]
    public class SessionTests
    {
        private const string Connect = "Connect-RunCloud -Token $t -BaseUri 'https://rc.test/' -SkipValidation -PassThru";

        private static Dictionary<string, object> Token(string token) =>
            new Dictionary<string, object> { ["t"] = SecureText.FromPlain(token) };

        private static RunCloudConnection Single(IEnumerable<PSObject> output) => (RunCloudConnection)Assert.Single(output).BaseObject;

        [Fact]
        public void TheDefaultConnectionBelongsToTheRunspaceThatOpenedIt()
        {
            using var a = new PowerShellHost();
            using var b = new PowerShellHost();
            RunCloudConnection opened = Single(a.Invoke(Connect, out var errors, Token("tok-session-default-1")));
            Assert.Empty(errors);
            Assert.Same(opened, Single(a.Invoke("Get-RunCloudConnection", out _)));
            Assert.Empty(b.Invoke("Get-RunCloudConnection", out _));
            a.Invoke("Disconnect-RunCloud", out _);
        }

        [Fact]
        public void ConnectionsToOneAccountShareOneLimiterAcrossRunspaces()
        {
            using var a = new PowerShellHost();
            using var b = new PowerShellHost();
            RunCloudConnection first = Single(a.Invoke(Connect, out _, Token("tok-session-limiter-1")));
            RunCloudConnection second = Single(b.Invoke(Connect, out _, Token("tok-session-limiter-1")));
            RunCloudConnection other = Single(b.Invoke(Connect, out _, Token("tok-session-limiter-2")));
            Assert.NotSame(first, second);
            Assert.Same(first.Limiter, second.Limiter);
            Assert.NotSame(first.Limiter, other.Limiter);
            a.Invoke("Disconnect-RunCloud", out _);
            b.Invoke("Disconnect-RunCloud", out _);
        }

        [Fact]
        public void ASecondConnectClosesTheConnectionItReplaces()
        {
            using var a = new PowerShellHost();
            a.Invoke(Connect.Replace(" -PassThru", string.Empty), out _, Token("tok-session-replace-1"));
            RunCloudConnection first = Single(a.Invoke("Get-RunCloudConnection", out _));
            RunCloudConnection second = Single(a.Invoke(Connect, out _, Token("tok-session-replace-2")));
            Assert.True(first.IsClosed);
            Assert.False(second.IsClosed);
            a.Invoke("Get-RunCloudServer -Connection $old -Id 1", out var errors, new Dictionary<string, object> { ["old"] = first });
            ErrorRecord error = Assert.Single(errors);
            Assert.StartsWith(ErrorIds.NotConnected, error.FullyQualifiedErrorId);
            a.Invoke("Disconnect-RunCloud", out _);
            Assert.True(second.IsClosed);
        }

        [Fact]
        public void AConnectionWrittenWithPassThruStaysOpenForConnectionWhenReplaced()
        {
            using var a = new PowerShellHost();
            RunCloudConnection held = Single(a.Invoke(Connect, out _, Token("tok-session-held-1")));
            a.Invoke(Connect, out _, Token("tok-session-held-2"));
            Assert.False(held.IsClosed);
            a.Invoke("Disconnect-RunCloud -Connection $held; Disconnect-RunCloud", out _, new Dictionary<string, object> { ["held"] = held });
            Assert.True(held.IsClosed);
        }

        [Fact]
        public async Task DisconnectInOneRunspaceDoesNotBreakARequestInFlightInAnother()
        {
            using var started = new SemaphoreSlim(0);
            var mock = new MockHttpMessageHandler();
            mock.When("*").Respond(async () =>
            {
                started.Release();
                await Task.Delay(700);
                return ClientFactory.Json(HttpStatusCode.OK, "{\"id\":1001,\"name\":\"web1\"}");
            });
            RunCloudConnection connection = ClientFactory.Create(mock);
            using var a = new PowerShellHost();
            using var b = new PowerShellHost();
            var vars = new Dictionary<string, object> { ["c"] = connection };
            IReadOnlyList<ErrorRecord> inFlightErrors = new List<ErrorRecord>();
            Task<System.Collections.ObjectModel.Collection<PSObject>> inFlight = Task.Run(() => b.Invoke("Get-RunCloudServer -Connection $c -Id 1001", out inFlightErrors, vars));
            Assert.True(await started.WaitAsync(5000));
            a.Invoke("Disconnect-RunCloud -Connection $c", out var disconnectErrors, vars);
            Assert.Empty(disconnectErrors);
            var output = await inFlight;
            Assert.Empty(inFlightErrors);
            Assert.Equal(1001L, (long)Assert.Single(output).Properties["Id"].Value);
            Assert.True(connection.IsClosed);
        }
    }
}
