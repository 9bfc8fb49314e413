using System.Collections.Generic;
using System.IO;
using RunCloud.PowerShell.Sources;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>Get-RunCloudDomain | Export-Csv writes a Name column: Sync-RunCloudDomain -Path reads it back.</summary>
    public class CsvNameColumnTests
    {
        private const string ExportedByPowerShell7 =
            "\"Id\",\"ServerId\",\"WebAppId\",\"Name\",\"Type\",\"Www\",\"Redirection\",\"Wildcard\",\"DnsIntegration\",\"Status\",\"CreatedAt\",\"IsPrimary\"\n"
            + "\"3001\",\"1001\",\"2001\",\"shop.example.com\",\"primary\",\"False\",\"none\",\"False\",\"none\",\"\",\"12/07/2026 13:45:21\",\"True\"\n"
            + "\"3002\",\"1001\",\"2001\",\"blog.example.com\",\"alias\",\"True\",\"www\",\"False\",\"none\",\"\",\"12/07/2026 13:45:21\",\"False\"\n";

        [Fact]
        public void AnExportedDomainListIsReadByItsNameColumn()
        {
            var problems = new List<(string, string)>();
            Assert.Equal(new[] { "shop.example.com", "blog.example.com" }, DesiredDomainSource.ReadFile("domains.csv", ExportedByPowerShell7, problems));
            Assert.Empty(problems);
        }

        [Fact]
        public void WindowsPowerShellsTypeLineIsSkippedAndAnyExtensionIsDetectedAsCsv()
        {
            string content = "#TYPE RunCloud.PowerShell.Models.RunCloudDomain\n" + ExportedByPowerShell7;
            Assert.Equal(DesiredDomainSource.FileFormat.Csv, DesiredDomainSource.Detect("export.data", content));
            Assert.Equal(new[] { "shop.example.com", "blog.example.com" }, DesiredDomainSource.ReadFile("export.data", content, new List<(string, string)>()));
        }

        [Fact]
        public void ADomainColumnIsPreferredOverAName()
        {
            string content = "Name,Domain\nlabel one,one.example.com\nlabel two,two.example.com\n";
            Assert.Equal(new[] { "one.example.com", "two.example.com" }, DesiredDomainSource.ReadFile("x.csv", content, new List<(string, string)>()));
        }

        [Fact]
        public void ACsvWithNeitherColumnSaysWhichItLooksFor()
        {
            var ex = Assert.Throws<InvalidDataException>(() => DesiredDomainSource.ReadFile("x.csv", "Host,Www\na.example.com,true\n", new List<(string, string)>()));
            Assert.Contains("no Domain or Name column", ex.Message);
        }
    }
}
