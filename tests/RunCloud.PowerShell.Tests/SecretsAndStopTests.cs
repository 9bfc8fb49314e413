using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Auth;
using RunCloud.PowerShell.Commands;
using RunCloud.PowerShell.Http;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>Ctrl+C stops a request under every preference; proxy credentials never reach output; loopback never goes through a proxy.</summary>
    public class SecretsAndStopTests
    {
        private const string ProxyPassword = "Pr0xy-PASS-w0rd";

        private static System.Collections.ObjectModel.Collection<PSObject> Invoke(Runspace runspace, string script, out List<ErrorRecord> errors, params object[] args)
        {
            using var ps = System.Management.Automation.PowerShell.Create();
            ps.Runspace = runspace;
            ps.AddScript(script);
            foreach (object a in args) ps.AddArgument(a);
            var output = ps.Invoke();
            errors = new List<ErrorRecord>(ps.Streams.Error);
            return output;
        }

        [Fact]
        public void AProxyPasswordGivenInTheUrlIsNeverShownSerialisedOrInAnError()
        {
            using Runspace runspace = HostileServerTests.OpenRunspace();
            string text = string.Join("\n", Invoke(runspace,
                "$c = Connect-RunCloud -Token $args[0] -BaseUri https://rc.invalid/ -Proxy \"http://proxyuser:$($args[1])@127.0.0.1:9/\" -SkipValidation -PassThru -TimeoutSec 2 -MaxAttempts 1; "
                // what Format-List * and ConvertTo-Json read (every public property), and what Export-Clixml writes
                + "$c.PSObject.Properties | ForEach-Object { \"$($_.Name) = $($_.Value)\" }; [Newtonsoft.Json.JsonConvert]::SerializeObject($c); "
                + "[System.Management.Automation.PSSerializer]::Serialize($c, 4); "
                + "try { Get-RunCloudDomain -ServerId 1 -WebAppId 2 -ErrorAction Stop } catch { $_.FullyQualifiedErrorId; \"$_\"; $_.Exception.ToString() }",
                out List<ErrorRecord> errors, SecureText.FromPlain("tok-proxy-test-123456"), ProxyPassword).Select(o => o?.ToString()));
            Assert.Empty(errors);
            Assert.Contains("127.0.0.1:9", text); // the proxy is shown, without its user info
            Assert.Contains(ErrorIds.TransportError, text);
            Assert.DoesNotContain(ProxyPassword, text);
            Assert.DoesNotContain("proxyuser:", text);
        }

        [Fact]
        public void AnEchoedProxyPasswordIsMaskedInTheErrorText()
        {
            // The server (standing in for a proxy that repeats what it got) echoes the proxy password in its message.
            using var server = new HostileServer(HostileMode.EchoSecret);
            using Runspace runspace = HostileServerTests.OpenRunspace();
            Invoke(runspace, "$global:c = Connect-RunCloud -Token $args[0] -BaseUri $args[1] -SkipValidation -PassThru -MaxAttempts 1 -RateLimit 0 -ProxyCredential $args[2]",
                out _, SecureText.FromPlain(ProxyPassword), server.BaseUri.AbsoluteUri,
                new PSCredential("proxyuser", SecureText.FromPlain(ProxyPassword)));
            string text = string.Join("\n", Invoke(runspace,
                "try { Add-RunCloudDomain -Name a.example.com -ServerId 1 -WebAppId 2 -ErrorAction Stop } catch { $_.FullyQualifiedErrorId; \"$_\"; $_.Exception.ToString() }",
                out _).Select(o => o?.ToString()));
            Assert.Contains(ErrorIds.ValidationFailed, text);
            Assert.Contains(Redactor.Mask, text);
            Assert.DoesNotContain(ProxyPassword, text);
        }

        [Fact]
        public void ALoopbackBaseUriBypassesTheProxySoTheTokenNeverReachesIt()
        {
            using var target = new HostileServer(HostileMode.Normal);
            using var proxy = new HostileServer(HostileMode.Normal);
            using Runspace runspace = HostileServerTests.OpenRunspace();
            var output = Invoke(runspace,
                "Connect-RunCloud -Token $args[0] -BaseUri $args[1] -Proxy $args[2] -SkipValidation -RateLimit 0; Get-RunCloudDomain -ServerId 1 -WebAppId 2",
                out List<ErrorRecord> errors, SecureText.FromPlain(HostileServer.Secret), target.BaseUri.AbsoluteUri, $"http://127.0.0.1:{proxy.Port}/");
            Assert.Empty(errors);
            Assert.Equal(2, output.Count);
            Assert.Empty(proxy.Requests);
            Assert.Single(target.Authorizations);
        }

        [Fact]
        public async Task ThePumpEndsAtOnceWhenStoppedEvenIfTheWorkNeverEnds()
        {
            using var log = new PipelineLog(verbose: true, debug: true);
            using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            Task pumping = Task.Run(() => log.Pump(() => false, _ => { }, stop.Token));
            Assert.True(await Task.WhenAny(pumping, Task.Delay(TimeSpan.FromSeconds(10))) == pumping, "the pump ignored the stop");
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pumping);
        }

        [Theory]
        [InlineData("SilentlyContinue", "SilentlyContinue")]
        [InlineData("Continue", "SilentlyContinue")]
        [InlineData("Continue", "Continue")]
        public void CtrlCEndsAListingWhoseBodyDripsWithinOneSecond(string verbose, string debug)
        {
            using var server = new HostileServer(HostileMode.Normal);
            using Runspace runspace = HostileServerTests.OpenRunspace();
            Invoke(runspace, "Connect-RunCloud -Token $args[0] -BaseUri $args[1] -ServerId 1 -WebAppId 2 -SkipValidation -RateLimit 0 -TimeoutSec 60",
                out _, SecureText.FromPlain(HostileServer.Secret), server.BaseUri.AbsoluteUri);
            server.Mode = HostileMode.Drip;
            using var ps = System.Management.Automation.PowerShell.Create();
            ps.Runspace = runspace;
            ps.AddScript($"$VerbosePreference = '{verbose}'; $DebugPreference = '{debug}'; Get-RunCloudDomain");
            IAsyncResult handle = ps.BeginInvoke();
            Thread.Sleep(300);
            var clock = Stopwatch.StartNew();
            IAsyncResult stopping = ps.BeginStop(null, null);
            bool stopped = stopping.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(10));
            TimeSpan took = clock.Elapsed;
            Assert.True(stopped, "Ctrl+C did not end the command within 10 s");
            // The requirement is 1 s; 2 s leaves room for a loaded machine without hiding a hang.
            Assert.True(took < TimeSpan.FromSeconds(2), $"stopping took {took.TotalMilliseconds:0} ms");
            Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
            Assert.Empty(ps.Streams.Error);
        }
    }
}
