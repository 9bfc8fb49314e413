using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace RunCloud.PowerShell.Ssl
{
    /// <summary>
    /// The dNSName entries of a certificate's subjectAltName, read from the extension's DER (netstandard2.0 has no
    /// typed reader, and X509Extension.Format differs by platform), and the TLS host-name match (RFC 6125: a wildcard
    /// stands for exactly one left-most label).
    /// </summary>
    internal static class SubjectAltNames
    {
        public static IEnumerable<string> DnsNames(X509Certificate2 certificate)
        {
            X509Extension? ext = certificate.Extensions.Cast<X509Extension>().FirstOrDefault(e => e.Oid?.Value == "2.5.29.17");
            if (ext == null) return Enumerable.Empty<string>();
            return Parse(ext.RawData);
        }

        internal static List<string> Parse(byte[] der)
        {
            var names = new List<string>();
            int pos = 0;
            if (der.Length < 2 || der[pos] != 0x30) return names; // SEQUENCE OF GeneralName
            pos++;
            int end = ReadLength(der, ref pos) + pos;
            while (pos < end && pos < der.Length)
            {
                byte tag = der[pos++];
                int length = ReadLength(der, ref pos);
                if (pos + length > der.Length) break;
                if (tag == 0x82) names.Add(Encoding.ASCII.GetString(der, pos, length)); // [2] IMPLICIT IA5String dNSName
                pos += length;
            }

            return names;
        }

        private static int ReadLength(byte[] der, ref int pos)
        {
            int first = der[pos++];
            if (first < 0x80) return first;
            int bytes = first & 0x7F, value = 0;
            for (int i = 0; i < bytes; i++) value = (value << 8) | der[pos++];
            return value;
        }

        public static bool Matches(string pattern, string host)
        {
            pattern = pattern.TrimEnd('.').ToLowerInvariant();
            host = host.TrimEnd('.').ToLowerInvariant();
            if (!pattern.StartsWith("*.", StringComparison.Ordinal)) return pattern == host;
            int dot = host.IndexOf('.');
            return dot > 0 && host.Substring(dot) == pattern.Substring(1);
        }
    }
}
