using System;
using System.Linq;
using System.Net;
using System.Net.Sockets;

namespace RunCloud.PowerShell.Dns
{
    /// <summary>
    /// Cloudflare's published proxy address ranges (https://www.cloudflare.com/ips-v4 and /ips-v6). A name that
    /// resolves into them is proxied: its DNS shows Cloudflare, not the server, although HTTP-01 may still reach the
    /// server through the proxy. Reported as such, never as "wrong address".
    /// </summary>
    internal static class CloudflareRanges
    {
        private static readonly (byte[] Network, int Prefix)[] Ranges = new[]
        {
            "173.245.48.0/20", "103.21.244.0/22", "103.22.200.0/22", "103.31.4.0/22", "141.101.64.0/18", "108.162.192.0/18",
            "190.93.240.0/20", "188.114.96.0/20", "197.234.240.0/22", "198.41.128.0/17", "162.158.0.0/15", "104.16.0.0/13",
            "104.24.0.0/14", "172.64.0.0/13", "131.0.72.0/22",
            "2400:cb00::/32", "2606:4700::/32", "2803:f800::/32", "2405:b500::/32", "2405:8100::/32", "2a06:98c0::/29", "2c0f:f248::/32",
        }.Select(Parse).ToArray();

        public static bool Contains(IPAddress address)
        {
            if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
            byte[] bytes = address.GetAddressBytes();
            return Ranges.Any(r => r.Network.Length == bytes.Length && InPrefix(bytes, r.Network, r.Prefix));
        }

        private static bool InPrefix(byte[] address, byte[] network, int prefix)
        {
            for (int bit = 0; bit < prefix; bit++)
            {
                int mask = 0x80 >> (bit % 8);
                if ((address[bit / 8] & mask) != (network[bit / 8] & mask)) return false;
            }

            return true;
        }

        private static (byte[], int) Parse(string cidr)
        {
            string[] parts = cidr.Split('/');
            return (IPAddress.Parse(parts[0]).GetAddressBytes(), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
