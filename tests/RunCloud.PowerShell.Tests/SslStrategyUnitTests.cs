using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

using RunCloud.PowerShell.Dns;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Ssl;
using RunCloud.Tests;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    public class SslNamesAndBudgetTests
    {
        [Fact]
        public void WwwVariantsCountAndAreNeverDoubled()
        {
            var domains = new[]
            {
                new RunCloudDomain { Name = "a.example.com", Www = true },
                new RunCloudDomain { Name = "www.b.example.com", Www = true },
                new RunCloudDomain { Name = "*.c.example.com", Www = true },
                new RunCloudDomain { Name = "d.example.com" },
            };
            Assert.Equal(new[] { "*.c.example.com", "a.example.com", "d.example.com", "www.a.example.com", "www.b.example.com" }, SslNames.All(domains));
        }

        [Fact]
        public void TheSixthDuplicateInSevenDaysIsRefusedUntilTheFirstLeavesTheWindow()
        {
            var data = new SslJournalData();
            var start = new DateTime(2026, 11, 1, 12, 0, 0, DateTimeKind.Utc);
            string[] names = { "shop.example.com", "www.shop.example.com" };
            for (int i = 0; i < 5; i++)
            {
                var budget = new LetsEncryptBudget(data, start.AddHours(i));
                Assert.Null(budget.Check(names, allowDuplicate: false));
                budget.Record(names);
            }

            var sixth = new LetsEncryptBudget(data, start.AddDays(2)).Check(names, allowDuplicate: false);
            Assert.NotNull(sixth);
            Assert.Equal(start.AddDays(7), sixth!.Value.PossibleAt);
            Assert.Null(new LetsEncryptBudget(data, start.AddDays(2)).Check(names, allowDuplicate: true));
            Assert.Null(new LetsEncryptBudget(data, start.AddDays(2)).Check(new[] { "shop.example.com" }, allowDuplicate: false)); // another set
            Assert.Null(new LetsEncryptBudget(data, start.AddDays(7).AddMinutes(1)).Check(names, allowDuplicate: false));
        }

        [Fact]
        public void FiftyCertificatesPerRegisteredDomainAWeekAndThreeHundredOrdersInThreeHours()
        {
            var data = new SslJournalData();
            var now = new DateTime(2026, 11, 1, 12, 0, 0, DateTimeKind.Utc);
            var budget = new LetsEncryptBudget(data, now);
            for (int i = 0; i < 50; i++) budget.Record(new[] { $"s{i}.example.co.uk" });
            var over = budget.Check(new[] { "s50.example.co.uk" }, allowDuplicate: false);
            Assert.NotNull(over);
            Assert.Contains("example.co.uk", over!.Value.Limit);
            for (int i = 0; i < 250; i++) budget.Record(new[] { $"c{i}.com" });
            var orders = budget.Check(new[] { "fresh.net" }, allowDuplicate: false);
            Assert.NotNull(orders);
            Assert.Contains("3 hours", orders!.Value.Limit);
            Assert.Equal(now.AddHours(3), orders.Value.PossibleAt);
        }

        [Theory]
        [InlineData("104.16.0.1", true)]
        [InlineData("172.67.1.1", true)]
        [InlineData("2606:4700::6810:1", true)]
        [InlineData("203.0.113.10", false)]
        [InlineData("8.8.8.8", false)]
        public void CloudflareRangesAreRecognised(string address, bool proxied) =>
            Assert.Equal(proxied, CloudflareRanges.Contains(IPAddress.Parse(address)));
    }

    public class UdpDnsResolverTests
    {
        [Fact]
        public async Task ResolvesAFollowsCnamesAndReportsNxdomain()
        {
            using var dns = new LoopbackDns();
            dns.Set("shop.example.com", "203.0.113.10", "2001:db8::10");
            dns.SetCname("www.shop.example.com", "shop.example.com");
            var resolver = new UdpDnsResolver(new[] { UdpDnsResolver.ParseServer(dns.Server, out _)! }, TimeSpan.FromSeconds(5));
            var readiness = new DnsReadiness(resolver, TimeSpan.FromSeconds(5));

            RunCloudDnsCheck ok = await readiness.CheckAsync("www.shop.example.com", "203.0.113.10", CancellationToken.None);
            Assert.Equal("OK", ok.Status);
            Assert.Equal(new[] { "shop.example.com" }, ok.Cnames);
            Assert.Contains("2001:db8::10", ok.Addresses);

            RunCloudDnsCheck wrong = await readiness.CheckAsync("shop.example.com", "198.51.100.1", CancellationToken.None);
            Assert.Equal("WrongAddress", wrong.Status);
            Assert.Contains("198.51.100.1", wrong.Message);

            RunCloudDnsCheck missing = await readiness.CheckAsync("nowhere.example.com", "203.0.113.10", CancellationToken.None);
            Assert.Equal("NotResolved", missing.Status);
            Assert.Contains("NXDOMAIN", missing.Message);

            dns.Set("cdn.example.com", "104.16.0.1");
            Assert.Equal("CloudflareProxied", (await readiness.CheckAsync("cdn.example.com", "203.0.113.10", CancellationToken.None)).Status);
        }

        [Theory]
        [InlineData("1.1.1.1", "1.1.1.1:53")]
        [InlineData("127.0.0.1:5353", "127.0.0.1:5353")]
        [InlineData("[::1]:5353", "[::1]:5353")]
        public void ParsesServers(string text, string expected) =>
            Assert.Equal(expected, UdpDnsResolver.ParseServer(text, out _)!.ToString());

        [Theory]
        [InlineData("dns.google")]
        [InlineData("1.1.1.1:99999")]
        public void RefusesServersThatAreNotAddresses(string text)
        {
            Assert.Null(UdpDnsResolver.ParseServer(text, out string problem));
            Assert.Contains(text, problem);
        }
    }
}
