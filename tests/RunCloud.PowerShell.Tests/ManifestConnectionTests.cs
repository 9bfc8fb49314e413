using System;
using System.Collections;
using System.IO;
using System.Management.Automation;
using System.Runtime.InteropServices;
using RunCloud.PowerShell.Auth;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Sources;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>A manifest's "connections" map: how an unattended run opens each account, never the credential itself.</summary>
    public class ManifestConnectionTests
    {
        private const string Target = @"""targets"": [ { ""connection"": ""clientA"", ""serverId"": 1001, ""webAppId"": 2001, ""domains"": [""a.example.com""] } ]";

        private static FleetManifest Json(string connections) => FleetManifest.ParseJson("{ \"connections\": " + connections + ", " + Target + " }", "fleet.json");

        private static ManifestException Bad(string connections) => Assert.Throws<ManifestException>(() => Json(connections));

        [Fact]
        public void ReadsEachKindWithItsAddressAndVersion()
        {
            FleetManifest m = Json(@"{
                ""clientA"": { ""vault"": ""Company"", ""secretName"": ""runcloud-clientA"", ""monthlyQuota"": 50000 },
                ""clientB"": { ""tokenEnvironmentVariable"": ""RUNCLOUD_TOKEN_CLIENTB"", ""baseUri"": ""https://manage.runcloud.io"", ""apiVersion"": ""V3"" },
                ""clientC"": { ""credentialPath"": ""secrets/clientC.xml"", ""apiVersion"": ""v2"" } }");
            Assert.Equal(3, m.Connections.Count);
            ManifestConnection a = m.Connections["CLIENTA"];
            Assert.Equal(ManifestConnectionKind.Vault, a.Kind);
            Assert.Equal(("Company", "runcloud-clientA"), (a.Vault, a.SecretName));
            Assert.Equal(50000, a.MonthlyQuota);
            ManifestConnection b = m.Connections["clientB"];
            Assert.Equal(ManifestConnectionKind.EnvironmentVariable, b.Kind);
            Assert.Equal("RUNCLOUD_TOKEN_CLIENTB", b.TokenEnvironmentVariable);
            Assert.Equal("v3", b.ApiVersion);
            Assert.Equal("https://manage.runcloud.io", b.BaseUri);
            ManifestConnection c = m.Connections["clientC"];
            Assert.Equal(ManifestConnectionKind.CredentialFile, c.Kind);
            Assert.Equal("secrets/clientC.xml", c.CredentialPath);
            Assert.Null(c.MonthlyQuota);
        }

        [Fact]
        public void AManifestWithoutConnectionsHasNone() =>
            Assert.Empty(FleetManifest.ParseJson("{ " + Target + " }", "fleet.json").Connections);

        [Fact]
        public void APsd1ConnectionsTableReadsLikeTheJson()
        {
            var data = new Hashtable
            {
                ["connections"] = new Hashtable { ["clientA"] = new Hashtable { ["tokenEnvironmentVariable"] = "CLIENT_A_TOKEN" } },
                ["targets"] = new object[] { new Hashtable { ["connection"] = "clientA", ["serverId"] = 1001, ["webAppId"] = 2001, ["domains"] = new object[] { "a.example.com" } } },
            };
            Assert.Equal("CLIENT_A_TOKEN", FleetManifest.ParseData(data, "fleet.psd1").Connections["clientA"].TokenEnvironmentVariable);
        }

        [Theory]
        [InlineData("token")]
        [InlineData("apiKey")]
        [InlineData("api_secret")]
        [InlineData("password")]
        public void AFieldThatLooksLikeACredentialIsRefusedByNameWithoutItsValue(string field)
        {
            ManifestException ex = Bad($@"{{ ""clientA"": {{ ""{field}"": ""rc-s3cr3t-value"" }} }}");
            Assert.Contains($"field '{field}' looks like a credential", ex.Message);
            Assert.Contains("connection 'clientA'", ex.Message);
            Assert.DoesNotContain("rc-s3cr3t-value", ex.Message);
            Assert.Equal($"connections.clientA.{field}", ex.Field);
        }

        [Fact]
        public void ATokenPastedWhereTheVariableNameBelongsIsRefusedWithoutRepeatingIt()
        {
            const string token = "Zx81kQm2Pv7sLr4Tn0Wc6Yb3Hd9Fg5Ja";
            ManifestException ex = Bad($@"{{ ""clientA"": {{ ""tokenEnvironmentVariable"": ""{token}"" }} }}");
            Assert.Contains("looks like a credential", ex.Message);
            Assert.DoesNotContain(token, ex.Message);
            ex = Bad($@"{{ ""clientA"": {{ ""vault"": ""Company"", ""secretName"": ""{token}"" }} }}");
            Assert.DoesNotContain(token, ex.Message);
        }

        [Fact]
        public void ANonStringInAStringFieldShowsItsTypeNotItsValue()
        {
            ManifestException ex = Bad(@"{ ""clientA"": { ""vault"": { ""token"": ""inner-secret"" }, ""secretName"": ""x"" } }");
            Assert.Contains("field 'vault' is a object", ex.Message);
            Assert.DoesNotContain("inner-secret", ex.Message);
        }

        [Theory]
        [InlineData(@"{ ""clientA"": { } }", "says nowhere to find its credential")]
        [InlineData(@"{ ""clientA"": { ""vault"": ""V"", ""secretName"": ""s"", ""tokenEnvironmentVariable"": ""T"" } }", "gives vault + secretName and tokenEnvironmentVariable")]
        [InlineData(@"{ ""clientA"": { ""vault"": ""V"" } }", "\"vault\" needs \"secretName\" too")]
        [InlineData(@"{ ""clientA"": { ""secretName"": ""s"" } }", "\"secretName\" needs \"vault\" too")]
        [InlineData(@"{ ""clientA"": { ""tokenEnvironmentVariable"": ""1BAD-NAME"" } }", "must be the name of an environment variable")]
        [InlineData(@"{ ""clientA"": { ""credentialPath"": ""a.xml"", ""apiVersion"": ""v4"" } }", "use \"v2\" or \"v3\"")]
        [InlineData(@"{ ""clientA"": { ""credentialPath"": ""a.xml"", ""baseUri"": ""manage.runcloud.io"" } }", "absolute https URL")]
        [InlineData(@"{ ""clientA"": { ""credentialPath"": ""a.xml"", ""monthlyQuota"": 0 } }", "whole number above 0")]
        [InlineData(@"{ ""clientA"": { ""credentialPath"": ""a.xml"", ""rateLimit"": 5 } }", "unknown field 'rateLimit'")]
        [InlineData(@"{ ""client A"": { ""credentialPath"": ""a.xml"" } }", "is not usable")]
        [InlineData(@"[ ""clientA"" ]", "'connections' is")]
        public void EveryMistakeNamesTheConnectionAndTheFix(string connections, string expected)
        {
            Assert.Contains(expected, Bad(connections).Message);
        }
    }

    /// <summary>An Export-Clixml'd credential: refused unless private on Unix (Export-Clixml does not encrypt there).</summary>
    public class CredentialFileTests : IDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "runcloud-credfile-" + Guid.NewGuid().ToString("N"));

        public CredentialFileTests() => Directory.CreateDirectory(_folder);

        public void Dispose() => Directory.Delete(_folder, true);

        /// <summary>
        /// False on a runtime with no way to read a file's Unix mode (Mono on Linux: the .NET Framework lane; the module's
        /// Windows PowerShell runs only on Windows, where no mode is checked): there every read must refuse, saying so.
        /// </summary>
        private static bool ModeKnown(string path) => RuntimeInformation.IsOSPlatform(OSPlatform.Windows) || CredentialFile.UnixMode(path) != null;

        /// <summary>Where the mode cannot be read, the refusal (checked here) is the behaviour: the caller stops.</summary>
        private static bool RefusedForUnknownMode(string path)
        {
            if (ModeKnown(path)) return false;
            var ex = Assert.Throws<CredentialNotFoundException>(() => CredentialFile.Read(path, "connection clientA"));
            Assert.Contains("cannot read the permissions", ex.Message);
            return true;
        }

        private string Write(object value, string name)
        {
            string path = Path.Combine(_folder, name);
            File.WriteAllText(path, PSSerializer.Serialize(value));
            Chmod(path, "600");
            return path;
        }

        private static void Chmod(string path, string mode)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
            using var p = System.Diagnostics.Process.Start("chmod", mode + " \"" + path + "\"")!;
            p.WaitForExit();
        }

        [Fact]
        public void APSCredentialIsAKeyAndSecretAndASecureStringIsAToken()
        {
            string cred = Write(new PSCredential("rc-key-1", SecureText.FromPlain("the-secret")), "cred.xml");
            if (RefusedForUnknownMode(cred)) return;
            ResolvedCredential a = CredentialFile.Read(cred, "connection clientA");
            Assert.Equal(RunCloudAuthenticationKind.ApiKey, a.Credential.Kind);
            Assert.Equal($"credential file {cred}", a.Source);
            string tok = Write(SecureText.FromPlain("the-token"), "tok.xml");
            Assert.Equal(RunCloudAuthenticationKind.Token, CredentialFile.Read(tok, "connection clientB").Credential.Kind);
        }

        [Theory]
        [InlineData("644", "0644")]
        [InlineData("640", "0640")]
        [InlineData("604", "0604")]
        [InlineData("620", "0620")]
        public void AFileOthersMayReadOrChangeIsRefusedOnUnix(string mode, string shown)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return; // DPAPI and the profile's ACL protect it there
            string path = Write(SecureText.FromPlain("the-token"), "open.xml");
            Chmod(path, mode);
            if (RefusedForUnknownMode(path)) return;
            var ex = Assert.Throws<CredentialNotFoundException>(() => CredentialFile.Read(path, "connection clientA"));
            Assert.Contains($"mode {shown}", ex.Message);
            Assert.Contains($"chmod 600 '{path}'", ex.Message);
            Assert.DoesNotContain("the-token", ex.Message);
        }

        [Fact]
        public void AMissingFileSaysHowToWriteIt()
        {
            var ex = Assert.Throws<CredentialNotFoundException>(() => CredentialFile.Read(Path.Combine(_folder, "none.xml"), "connection clientA"));
            Assert.Contains("Export-Clixml", ex.Message);
        }

        [Fact]
        public void AFileThatIsNotCliXmlIsRefusedWithoutQuotingIt()
        {
            string path = Path.Combine(_folder, "plain.xml");
            File.WriteAllText(path, "RUNCLOUD_API_TOKEN=plain-token-value");
            Chmod(path, "600");
            var ex = Assert.Throws<CredentialNotFoundException>(() => CredentialFile.Read(path, "connection clientA"));
            Assert.DoesNotContain("plain-token-value", ex.Message);
        }

        [Fact]
        public void AnotherTypeIsRefusedNamingIt()
        {
            string path = Write("just a string", "string.xml");
            if (RefusedForUnknownMode(path)) return;
            var ex = Assert.Throws<CredentialNotFoundException>(() => CredentialFile.Read(path, "connection clientA"));
            Assert.Contains("holds a String", ex.Message);
        }
    }
}
