using System;
using System.Text;

namespace RunCloud.Emulator.Tls
{
    /// <summary>
    /// Reads the server name (SNI) from a TLS ClientHello, so the endpoint can choose the certificate before the handshake:
    /// netstandard2.0 (and .NET Framework) have no ServerCertificateSelectionCallback.
    /// </summary>
    public static class ClientHello
    {
        /// <summary>
        /// The host name of the server_name extension in a TLS record holding a ClientHello; null when there is none (or the
        /// record is not a complete ClientHello). record starts with the 5-byte record header.
        /// </summary>
        public static string? ReadServerName(byte[] record, int count)
        {
            try
            {
                int p = 0;
                if (count < 5 || record[0] != 0x16) return null; // handshake
                int recordLength = (record[3] << 8) | record[4];
                int end = Math.Min(count, 5 + recordLength);
                p = 5;
                if (record[p] != 0x01) return null; // client_hello
                p += 4; // type + 3-byte length
                p += 2 + 32; // client_version, random
                p += 1 + record[p]; // session_id
                p += 2 + ((record[p] << 8) | record[p + 1]); // cipher_suites
                p += 1 + record[p]; // compression_methods
                if (p + 2 > end) return null;
                int extEnd = Math.Min(end, p + 2 + ((record[p] << 8) | record[p + 1]));
                p += 2;
                while (p + 4 <= extEnd)
                {
                    int type = (record[p] << 8) | record[p + 1];
                    int len = (record[p + 2] << 8) | record[p + 3];
                    p += 4;
                    if (type == 0 && p + len <= extEnd) // server_name
                    {
                        int q = p + 2; // server_name_list length
                        while (q + 3 <= p + len)
                        {
                            int nameType = record[q];
                            int nameLen = (record[q + 1] << 8) | record[q + 2];
                            q += 3;
                            if (q + nameLen > p + len) return null;
                            if (nameType == 0) return Encoding.ASCII.GetString(record, q, nameLen).TrimEnd('.').ToLowerInvariant();
                            q += nameLen;
                        }
                        return null;
                    }
                    p += len;
                }
                return null;
            }
            catch (IndexOutOfRangeException)
            {
                return null;
            }
        }
    }
}
