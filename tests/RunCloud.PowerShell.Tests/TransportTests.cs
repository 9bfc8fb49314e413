using System;
using System.Net;
using RunCloud.PowerShell.Auth;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Session;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>The production transport on each runtime (the net472 lane runs this under Mono).</summary>
    public class TransportTests
    {
        /// <summary>
        /// Windows PowerShell 5.1 runs on .NET Framework, where a process may offer only TLS 1.0 (the default of
        /// ServicePointManager without the SchUseStrongCrypto registry key); RunCloud accepts TLS 1.2 and later only,
        /// so every call would fail with "Could not create SSL/TLS secure channel".
        /// </summary>
        [Fact]
        public void AProcessPinnedToTls10StillOffersTls12()
        {
#pragma warning disable SYSLIB0014, SYSLIB0039 // ServicePointManager and TLS 1.0: what Windows PowerShell 5.1 uses
            SecurityProtocolType saved = ServicePointManager.SecurityProtocol;
            try
            {
                ServicePointManager.SecurityProtocol = SecurityProtocolType.Tls;
                using var connection = new RunCloudConnection(ClientFactory.BaseUri, "v3",
                    RunCloudCredential.ForToken(SecureText.FromPlain(ClientFactory.Token)), "test", ClientFactory.FastRetry(), 0,
                    TimeSpan.FromMinutes(1), null, transport: null);
                Assert.True((ServicePointManager.SecurityProtocol & SecurityProtocolType.Tls12) != 0,
                    $"offered: {ServicePointManager.SecurityProtocol}");
                Assert.True((ServicePointManager.SecurityProtocol & SecurityProtocolType.Tls) != 0, "what the process had set is kept");
            }
            finally
            {
                ServicePointManager.SecurityProtocol = saved;
            }
#pragma warning restore SYSLIB0014, SYSLIB0039
        }
    }
}
