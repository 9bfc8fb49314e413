using System.Threading;

namespace RunCloud.PowerShell.Sync.Status
{
    /// <summary>How far the checks of a status got: written by the workers, read by the pipeline thread for its progress bar.</summary>
    internal sealed class StatusProgress
    {
        private int _done;
        private int _total;
        private string _phase = string.Empty;

        public int Done => Volatile.Read(ref _done);

        public int Total => Volatile.Read(ref _total);

        public string Phase => Volatile.Read(ref _phase);

        public void Start(string phase, int total)
        {
            Volatile.Write(ref _phase, phase);
            Volatile.Write(ref _done, 0);
            Volatile.Write(ref _total, total);
        }

        public void Step() => Interlocked.Increment(ref _done);
    }
}
