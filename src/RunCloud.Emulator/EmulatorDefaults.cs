using System;

namespace RunCloud.Emulator
{
    /// <summary>Ids, names and credentials of the default seed.</summary>
    public static class EmulatorDefaults
    {
        public const string ApiKey = "rc-emulator-api-key-0001";
        public const string ApiSecret = "rc-emulator-api-secret-0001";
        public const string Token = "rc-emulator-api-token-0001";

        public const long ServerId = 1001;
        public const string ServerName = "web1";
        public const string ServerIpAddress = "203.0.113.10";
        public const long SecondServerId = 1002;
        public const string SecondServerName = "web2";
        public const string SecondServerIpAddress = "203.0.113.20";

        /// <summary>Web app "shop" on server 1001, with Let's Encrypt basic SSL covering both its domains.</summary>
        public const long WebAppId = 2001;
        public const string WebAppName = "shop";
        /// <summary>Web app "blog" on server 1001, with no SSL.</summary>
        public const long NoSslWebAppId = 2002;
        public const string NoSslWebAppName = "blog";

        public const long PrimaryDomainId = 3001;
        public const string PrimaryDomainName = "shop.example.com";
        public const long TestDomainId = 3002;
        /// <summary>
        /// RunCloud's own test domain for the app. Real ones look like "&lt;app&gt;.&lt;10 chars&gt;-&lt;12 chars&gt;.p.runcloud.link"
        /// (seen in many public repositories, e.g. "oneoff.7frwk6ymb9-ewx3lz9el4zq.p.runcloud.link"); this one is made up in that form.
        /// </summary>
        public const string TestDomainName = "shop.k7q2m9x4tb-pz3wq8vn51ra.p.runcloud.link";
        public const long BlogDomainId = 3003;
        public const string BlogDomainName = "blog.example.com";

        public const long SslId = 4001;

        /// <summary>A Cloudflare DNS integration ("3rd-party API key") for DNS-01 orders; ids of integrations start here.</summary>
        public const long ExternalApiId = 5001;
        public const string ExternalApiLabel = "cloudflare-dns";
        public const string ExternalApiUsername = "dns@example.com";
        /// <summary>Fake; a secret all the same: the request log never shows it.</summary>
        public const string ExternalApiSecret = "rc-emulator-cloudflare-key-0001";

        /// <summary>The suffix of every RunCloud-created (test) domain name.</summary>
        public const string RunCloudTestDomainSuffix = ".runcloud.link";

        /// <summary>The rule by which a client recognises a RunCloud-created domain: its name ends with ".runcloud.link".</summary>
        public static bool IsRunCloudTestDomain(string? name) =>
            name != null && name.EndsWith(RunCloudTestDomainSuffix, StringComparison.OrdinalIgnoreCase);
    }
}
