# burst.py PORT TOKEN N: opens N connections; once all are open, each sends one GET of the SCIM route
# with the token at the same moment. Prints the count of each status.
import asyncio, collections, sys

port, token, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
request = (f"GET /scim/v2/ServiceProviderConfig HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
           "Connection: close\r\n\r\n").encode()

async def one(connected, gate):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    connected.release()
    await gate.wait()
    writer.write(request)
    await writer.drain()
    answer = await reader.read()
    writer.close()
    return answer.split(b" ", 2)[1].decode() if answer else "closed"

async def main():
    connected, gate = asyncio.Semaphore(0), asyncio.Event()
    tasks = [asyncio.create_task(one(connected, gate)) for _ in range(n)]
    for _ in range(n):
        await connected.acquire()
    gate.set()
    print(dict(collections.Counter(await asyncio.gather(*tasks))))

asyncio.run(main())
