using System;
using System.Threading;

namespace RunCloud.PowerShell.Sync.Status
{
    /// <summary>
    /// Room in the thread pool for ThrottleLimit probes at once, for as long as the checks run. A TLS handshake validates
    /// the server's certificate synchronously inside SslStream (and a resolver may block too), holding a pool thread; with
    /// the pool's default minimum (one thread per core) the pool adds threads only slowly once they are all held, so probes
    /// queue behind each other and time out (measured: 1,000 probes at 16 at once took 16 s cold and lost some to the
    /// timeout; with room, 7 s and none). The minimum is raised only when it is lower, and put back only if nobody else
    /// changed it meanwhile.
    /// </summary>
    internal sealed class ThreadPoolRoom : IDisposable
    {
        private readonly int _previousWorker;
        private readonly int _previousIo;
        private readonly int _set;

        public ThreadPoolRoom(int parallel)
        {
            ThreadPool.GetMinThreads(out _previousWorker, out _previousIo);
            int wanted = Math.Min(512, parallel * 2 + Environment.ProcessorCount);
            if (wanted > _previousWorker && ThreadPool.SetMinThreads(wanted, Math.Max(_previousIo, wanted))) _set = wanted;
        }

        public void Dispose()
        {
            if (_set == 0) return;
            ThreadPool.GetMinThreads(out int worker, out _);
            if (worker == _set) ThreadPool.SetMinThreads(_previousWorker, _previousIo);
        }
    }
}
