#nullable enable
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;

namespace RunCloud.Tests
{
    /// <summary>
    /// A DNS table served over UDP on loopback, for tests: A/AAAA answers from the table, a CNAME answered with its
    /// alias record (the client then asks for the target), NXDOMAIN for unknown names: the answers the UDP DNS
    /// client's tests supply. (The Pester suite uses the emulator's own DNS table, over DNS-over-HTTPS or UDP.)
    /// </summary>
    public sealed class LoopbackDns : IDisposable
    {
        private readonly UdpClient _udp;
        private readonly Thread _thread;
        private readonly ConcurrentDictionary<string, string[]> _addresses = new ConcurrentDictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        private readonly ConcurrentDictionary<string, string> _cnames = new ConcurrentDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        private volatile bool _stopping;
        private int _queries;

        public LoopbackDns()
        {
            _udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            _thread = new Thread(Serve) { IsBackground = true, Name = "LoopbackDns" };
            _thread.Start();
        }

        /// <summary>"127.0.0.1:port", as -DnsServer takes it.</summary>
        public string Server => "127.0.0.1:" + ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;

        public int Queries => _queries;

        /// <summary>The last query that could not be answered, for a test's failure message.</summary>
        public Exception? LastError { get; private set; }

        /// <summary>Points <paramref name="name"/> at these addresses (replacing any CNAME).</summary>
        public void Set(string name, params string[] addresses)
        {
            _cnames.TryRemove(name, out _);
            _addresses[name.TrimEnd('.')] = addresses;
        }

        public void SetMany(IEnumerable<string> names, string address)
        {
            foreach (string n in names) Set(n, address);
        }

        public void SetCname(string name, string target)
        {
            _addresses.TryRemove(name, out _);
            _cnames[name.TrimEnd('.')] = target.TrimEnd('.');
        }

        public void Remove(string name)
        {
            _addresses.TryRemove(name, out _);
            _cnames.TryRemove(name, out _);
        }

        private void Serve()
        {
            while (!_stopping)
            {
                IPEndPoint? from = null;
                byte[] query;
                try
                {
                    query = _udp.Receive(ref from);
                }
                catch (SocketException) { if (_stopping) return; continue; }
                catch (ObjectDisposedException) { return; }

                Interlocked.Increment(ref _queries);
                try
                {
                    byte[] answer = Answer(query);
                    _udp.Send(answer, answer.Length, from);
                }
                catch (Exception ex)
                {
                    LastError = ex; // a malformed query gets no answer; the thread must never die of it
                }
            }
        }

        private byte[] Answer(byte[] q)
        {
            int pos = 12;
            var labels = new List<string>();
            while (q[pos] != 0)
            {
                labels.Add(Encoding.ASCII.GetString(q, pos + 1, q[pos]));
                pos += 1 + q[pos];
            }

            pos++;
            int type = (q[pos] << 8) | q[pos + 1];
            int questionEnd = pos + 4;
            string name = string.Join(".", labels);
            var records = new List<byte[]>();
            bool known = false;
            if (_cnames.TryGetValue(name, out string? target))
            {
                known = true;
                records.Add(Record(5, EncodeName(target)));
            }
            else if (_addresses.TryGetValue(name, out string[]? addresses))
            {
                known = true;
                foreach (IPAddress a in addresses.Select(IPAddress.Parse))
                {
                    if (type == 1 && a.AddressFamily == AddressFamily.InterNetwork) records.Add(Record(1, a.GetAddressBytes()));
                    if (type == 28 && a.AddressFamily == AddressFamily.InterNetworkV6) records.Add(Record(28, a.GetAddressBytes()));
                }
            }

            var m = new List<byte> { q[0], q[1], 0x81, (byte)(known ? 0x80 : 0x83), 0, 1, 0, (byte)records.Count, 0, 0, 0, 0 };
            m.AddRange(q.Skip(12).Take(questionEnd - 12));
            foreach (byte[] r in records) m.AddRange(r);
            return m.ToArray();
        }

        private static byte[] Record(int type, byte[] data)
        {
            var r = new List<byte> { 0xC0, 12, (byte)(type >> 8), (byte)type, 0, 1, 0, 0, 0, 30, (byte)(data.Length >> 8), (byte)data.Length };
            r.AddRange(data);
            return r.ToArray();
        }

        private static byte[] EncodeName(string name)
        {
            var b = new List<byte>();
            foreach (string label in name.Split('.'))
            {
                b.Add((byte)label.Length);
                b.AddRange(Encoding.ASCII.GetBytes(label));
            }

            b.Add(0);
            return b.ToArray();
        }

        public void Dispose()
        {
            _stopping = true;
            _udp.Dispose();
        }
    }
}
