using System.Collections;
using RunCloud.PowerShell.Sources;
using Xunit;
using RunCloud.PowerShell.Sync;

namespace RunCloud.PowerShell.Tests
{
    public class FleetManifestTests
    {
        private static FleetManifest Json(string json) => FleetManifest.ParseJson(json, "fleet.json");

        private static ManifestException Bad(string json) => Assert.Throws<ManifestException>(() => Json(json));

        [Fact]
        public void ReadsEveryFieldOfATarget()
        {
            FleetManifest m = Json(@"{ ""version"": 1, ""targets"": [
                { ""connection"": ""clientA"", ""serverId"": 1001, ""webAppId"": 2001, ""domains"": [""a.example.com"", "" b.example.com ""],
                  ""prune"": true, ""exclude"": [""*.staging.example.com""], ""maxRemove"": 3, ""www"": true, ""redirection"": ""WWW"", ""noSslReset"": true },
                { ""serverId"": ""1002"", ""webAppId"": 2002, ""path"": ""domains.txt"" },
                { ""connection"": ""clientB"", ""serverId"": 1001, ""webAppId"": 2001, ""wordPressPath"": ""/var/www/network"" } ] }");
            Assert.Equal(3, m.Targets.Count);
            FleetTarget a = m.Targets[0];
            Assert.Equal(1, a.Index);
            Assert.Equal("clientA", a.Connection);
            Assert.Equal(FleetSourceKind.Domains, a.SourceKind);
            Assert.Equal(new[] { "a.example.com", "b.example.com" }, a.Domains);
            Assert.True(a.Prune);
            Assert.Equal(new[] { "*.staging.example.com" }, a.Exclude);
            Assert.Equal(3, a.MaxRemove);
            Assert.True(a.Www);
            Assert.Equal("www", a.Redirection);
            Assert.True(a.NoSslReset);
            FleetTarget b = m.Targets[1];
            Assert.Null(b.Connection);
            Assert.Equal(1002, b.ServerId);
            Assert.Equal(FleetSourceKind.Path, b.SourceKind);
            Assert.Equal("domains.txt", b.SourcePath);
            Assert.False(b.Prune);
            Assert.Equal(10, b.MaxRemove);
            Assert.Equal(new[] { "*.runcloud.link" }, b.ProtectedName);
            Assert.Equal(FleetSourceKind.WordPressPath, m.Targets[2].SourceKind);
        }

        [Fact]
        public void AllowTld_IsReadNormalised_AndABadOneNamesTheTargetAndTheField()
        {
            FleetManifest m = Json(@"{ ""targets"": [ { ""serverId"": 1, ""webAppId"": 2, ""domains"": [""nas.lan""], ""allowTld"": [""LAN"", "".internal""] },
                { ""serverId"": 1, ""webAppId"": 3, ""domains"": [""a.example.com""] } ] }");
            Assert.Equal(new[] { "lan", "internal" }, m.Targets[0].AllowTld);
            Assert.Empty(m.Targets[1].AllowTld);
            ManifestException ex = Bad(@"{ ""targets"": [ { ""serverId"": 1, ""webAppId"": 2, ""domains"": [""a.example.com""], ""allowTld"": [""home.arpa""] } ] }");
            Assert.Equal("allowTld", ex.Field);
            Assert.Contains("target 1", ex.Message);
            Assert.Contains("'home.arpa' is not a top-level domain", ex.Message);
        }

        [Fact]
        public void APsd1HashtableReadsLikeTheJson()
        {
            var data = new Hashtable
            {
                ["targets"] = new object[]
                {
                    new Hashtable { ["connection"] = "clientA", ["serverId"] = 1001, ["webAppId"] = 2001, ["domains"] = new object[] { "a.example.com" }, ["prune"] = true, ["maxRemove"] = 2 },
                },
            };
            FleetTarget t = Assert.Single(FleetManifest.ParseData(data, "fleet.psd1").Targets);
            Assert.Equal(2001, t.WebAppId);
            Assert.Equal(new[] { "a.example.com" }, t.Domains);
            Assert.Equal(2, t.MaxRemove);
            Assert.True(t.Prune);
        }

        [Fact]
        public void NamesTheTargetAndTheFieldOfABadValue()
        {
            ManifestException ex = Bad(@"{ ""targets"": [ { ""serverId"": 1, ""webAppId"": 2, ""domains"": [] },
                { ""connection"": ""clientB"", ""serverId"": 1001, ""webAppId"": 2001, ""domains"": [""x.example.com""], ""maxRemove"": -1 } ] }");
            Assert.Equal(2, ex.TargetIndex);
            Assert.Equal("maxRemove", ex.Field);
            Assert.Contains("target 2 (connection clientB, server 1001, web app 2001)", ex.Message);
            Assert.Contains("'maxRemove' is -1", ex.Message);
            Assert.Contains("0 or more", ex.Message);
        }

        [Theory]
        [InlineData(@"{ ""targets"": [ { ""webAppId"": 2001, ""domains"": [] } ] }", "serverId", "is missing")]
        [InlineData(@"{ ""targets"": [ { ""serverId"": 0, ""webAppId"": 2001, ""domains"": [] } ] }", "serverId", "positive whole number")]
        [InlineData(@"{ ""targets"": [ { ""serverId"": 1001, ""webAppId"": ""abc"", ""domains"": [] } ] }", "webAppId", "positive whole number")]
        [InlineData(@"{ ""targets"": [ { ""serverId"": 1001, ""webAppId"": 2001 } ] }", "domains", "no source of names")]
        [InlineData(@"{ ""targets"": [ { ""serverId"": 1001, ""webAppId"": 2001, ""domains"": [], ""path"": ""d.txt"" } ] }", "path", "exactly one source")]
        [InlineData(@"{ ""targets"": [ { ""serverId"": 1001, ""webAppId"": 2001, ""domains"": [""a.example.com"", 5] } ] }", "domains", "item 2")]
        [InlineData(@"{ ""targets"": [ { ""serverId"": 1001, ""webAppId"": 2001, ""domains"": [], ""prune"": ""yes"" } ] }", "prune", "true or false")]
        [InlineData(@"{ ""targets"": [ { ""serverId"": 1001, ""webAppId"": 2001, ""domains"": [], ""redirection"": ""both"" } ] }", "redirection", "non-www")]
        [InlineData(@"{ ""targets"": [ { ""serverId"": 1001, ""webAppId"": 2001, ""domains"": [], ""prnue"": true } ] }", "prnue", "unknown field")]
        [InlineData(@"{ ""targets"": [ { ""serverId"": 1001, ""webAppId"": 2001, ""path"": ""  "" } ] }", "path", "non-empty path")]
        [InlineData(@"{ ""targets"": [ { ""connection"": ""client A"", ""serverId"": 1001, ""webAppId"": 2001, ""domains"": [] } ] }", "connection", "Connect-RunCloud -Name")]
        public void RefusesABadFieldNamingIt(string json, string field, string problem)
        {
            ManifestException ex = Bad(json);
            Assert.Equal(1, ex.TargetIndex);
            Assert.Equal(field, ex.Field);
            Assert.Contains("target 1 (", ex.Message);
            Assert.Contains(problem, ex.Message);
        }

        [Theory]
        [InlineData("token")]
        [InlineData("apiKey")]
        [InlineData("api_secret")]
        [InlineData("Password")]
        public void RefusesAnythingThatLooksLikeASecretWithoutEchoingIt(string key)
        {
            ManifestException ex = Bad(@"{ ""targets"": [ { ""connection"": ""clientA"", ""serverId"": 1001, ""webAppId"": 2001, ""domains"": [], """ + key + @""": ""s3cr3t-value"" } ] }");
            Assert.Equal(key, ex.Field);
            Assert.Contains("looks like a credential", ex.Message);
            Assert.Contains("Connect-RunCloud -Name", ex.Message);
            Assert.DoesNotContain("s3cr3t-value", ex.Message);
        }

        [Fact]
        public void RefusesTwoTargetsForOneWebApp()
        {
            ManifestException ex = Bad(@"{ ""targets"": [ { ""connection"": ""a"", ""serverId"": 1, ""webAppId"": 2, ""domains"": [] }, { ""connection"": ""A"", ""serverId"": 1, ""webAppId"": 2, ""domains"": [] } ] }");
            Assert.Equal(2, ex.TargetIndex);
            Assert.Contains("same web app as target 1", ex.Message);
        }

        [Theory]
        [InlineData("[]", "must be an object")]
        [InlineData(@"{ ""targets"": [] }", "missing or empty")]
        [InlineData(@"{ ""targets"": [ 5 ] }", "not an object")]
        [InlineData(@"{ ""target"": [] }", "unknown field 'target'")]
        [InlineData(@"{ ""version"": 2, ""targets"": [] }", "version 1")]
        [InlineData(@"{ ""targets"": [ { ""serverId"": 1 ", "not valid JSON")]
        public void RefusesABadShape(string json, string problem)
        {
            Assert.Contains(problem, Bad(json).Message);
        }
    }
}
