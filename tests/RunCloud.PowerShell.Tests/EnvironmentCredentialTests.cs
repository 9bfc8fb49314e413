using System;
using System.Collections.Generic;
using System.Linq;
using RunCloud.PowerShell.Auth;
using RunCloud.PowerShell.Models;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>The environment variables a scheduled task sets: the RUNCLOUD_* family first, Ultimate Multisite's WU_RUNCLOUD_* still read.</summary>
    public class EnvironmentCredentialTests
    {
        private static ResolvedCredential Resolve(params (string Name, string Value)[] variables)
        {
            var map = variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
            return CredentialResolver.FromEnvironment(n => map.TryGetValue(n, out string? v) ? v : null);
        }

        [Fact]
        public void KeyAndSecretUnderTheRunCloudNamesConnectWithV2Basic()
        {
            ResolvedCredential r = Resolve(("RUNCLOUD_API_KEY", "rc-key-1"), ("RUNCLOUD_API_SECRET", "s3cret-value"), ("RUNCLOUD_SERVER_ID", "1001"), ("RUNCLOUD_APP_ID", "2001"));
            Assert.Equal(RunCloudAuthenticationKind.ApiKey, r.Credential.Kind);
            Assert.Equal("RUNCLOUD_API_KEY/RUNCLOUD_API_SECRET (environment variable)", r.Source);
            Assert.Equal(1001, r.ServerId);
            Assert.Equal(2001, r.WebAppId);
            Assert.Contains(r.Notes, n => n.Contains("RUNCLOUD_SERVER_ID"));
            Assert.DoesNotContain(r.Notes.Concat(r.Warnings).Concat(new[] { r.Source }), t => t.Contains("s3cret-value"));
        }

        [Fact]
        public void TheUltimateMultisiteNamesAreStillRead()
        {
            ResolvedCredential r = Resolve(("WU_RUNCLOUD_API_KEY", "wu-key"), ("WU_RUNCLOUD_API_SECRET", "wu-secret"), ("WU_RUNCLOUD_SERVER_ID", "7"), ("WU_RUNCLOUD_APP_ID", "8"));
            Assert.Equal("WU_RUNCLOUD_API_KEY/WU_RUNCLOUD_API_SECRET (environment variable)", r.Source);
            Assert.Equal(7, r.ServerId);
            Assert.Equal(8, r.WebAppId);
        }

        [Fact]
        public void TheRunCloudPairWinsOverTheUltimateMultisitePairAndSaysSo()
        {
            ResolvedCredential r = Resolve(("RUNCLOUD_API_KEY", "own"), ("RUNCLOUD_API_SECRET", "own-s"), ("WU_RUNCLOUD_API_KEY", "wu"), ("WU_RUNCLOUD_API_SECRET", "wu-s"));
            Assert.Equal("RUNCLOUD_API_KEY/RUNCLOUD_API_SECRET (environment variable)", r.Source);
            Assert.Contains(r.Notes, n => n.Contains("RUNCLOUD_API_KEY/RUNCLOUD_API_SECRET win"));
        }

        [Fact]
        public void AnyTokenWinsOverAnyPair()
        {
            ResolvedCredential r = Resolve(("WU_RUNCLOUD_API_TOKEN", "tok"), ("RUNCLOUD_API_KEY", "own"), ("RUNCLOUD_API_SECRET", "own-s"));
            Assert.Equal(RunCloudAuthenticationKind.Token, r.Credential.Kind);
            Assert.Equal("WU_RUNCLOUD_API_TOKEN (environment variable)", r.Source);
            Assert.Contains(r.Notes, n => n.Contains("the token wins"));
        }

        [Theory]
        [InlineData("RUNCLOUD_API_KEY", "RUNCLOUD_API_SECRET")]
        [InlineData("RUNCLOUD_API_SECRET", "RUNCLOUD_API_KEY")]
        public void HalfAPairIsRefusedNamingTheMissingVariable(string given, string missing)
        {
            var ex = Assert.Throws<CredentialNotFoundException>(() => Resolve((given, "value-1")));
            Assert.Contains(missing, ex.Message);
            Assert.DoesNotContain("value-1", ex.Message);
        }

        [Fact]
        public void APairIsNeverMixedAcrossTheTwoFamilies()
        {
            // RUNCLOUD_API_KEY with WU_RUNCLOUD_API_SECRET would send one account's key with another's secret.
            var ex = Assert.Throws<CredentialNotFoundException>(() => Resolve(("RUNCLOUD_API_KEY", "own"), ("WU_RUNCLOUD_API_SECRET", "wu-s")));
            Assert.Contains("RUNCLOUD_API_SECRET", ex.Message);
        }

        [Fact]
        public void DisagreeingIdsWarnAndTheRunCloudNameWins()
        {
            ResolvedCredential r = Resolve(("RUNCLOUD_API_TOKEN", "t"), ("RUNCLOUD_SERVER_ID", "1001"), ("WU_RUNCLOUD_SERVER_ID", "1002"), ("WU_RUNCLOUD_APP_ID", "2001"));
            Assert.Equal(1001, r.ServerId);
            Assert.Equal(2001, r.WebAppId);
            Assert.Contains(r.Warnings, w => w.Contains("RUNCLOUD_SERVER_ID (1001)") && w.Contains("WU_RUNCLOUD_SERVER_ID (1002)"));
            Assert.Contains(r.Notes, n => n == "Default web app id from WU_RUNCLOUD_APP_ID.");
        }

        [Fact]
        public void ABadIdNamesItsVariable()
        {
            var ex = Assert.Throws<InvalidIdException>(() => Resolve(("RUNCLOUD_API_TOKEN", "t"), ("RUNCLOUD_APP_ID", "abc")));
            Assert.Contains("RUNCLOUD_APP_ID", ex.Message);
        }

        [Fact]
        public void NothingSetNamesEveryVariableLookedFor()
        {
            var ex = Assert.Throws<CredentialNotFoundException>(() => Resolve());
            foreach (string name in new[] { "RUNCLOUD_API_TOKEN", "WU_RUNCLOUD_API_TOKEN", "RUNCLOUD_API_KEY", "RUNCLOUD_API_SECRET", "WU_RUNCLOUD_API_KEY", "WU_RUNCLOUD_API_SECRET" })
            {
                Assert.Contains(name, ex.Message);
            }
        }

        [Fact]
        public void ATokenVariableNamedByAManifestIsReadAndAMissingOneIsNamed()
        {
            ResolvedCredential r = CredentialResolver.FromTokenVariable("CLIENT_A_TOKEN", n => n == "CLIENT_A_TOKEN" ? " tok-a " : null, "connection clientA");
            Assert.Equal(RunCloudAuthenticationKind.Token, r.Credential.Kind);
            Assert.Equal("CLIENT_A_TOKEN (environment variable)", r.Source);
            var ex = Assert.Throws<CredentialNotFoundException>(() => CredentialResolver.FromTokenVariable("CLIENT_B_TOKEN", _ => null, "connection clientB"));
            Assert.Contains("CLIENT_B_TOKEN", ex.Message);
            Assert.Contains("connection clientB", ex.Message);
        }
    }
}
