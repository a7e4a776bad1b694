"""Development oracle for the EVTX reader test: reads an .evtx with Debian's python3-evtx
(python-evtx 0.6.1) and prints one JSON line per record: id, time, computer, event data.
Never a runtime dependency of relaylint."""
import json
import sys
import xml.etree.ElementTree as ET

from Evtx.Evtx import Evtx

NS = '{http://schemas.microsoft.com/win/2004/08/events/event}'


def local(tag):
    return tag.split('}', 1)[1] if '}' in tag else tag


def text_of(el):
    return ''.join(el.itertext())


def main(path):
    with Evtx(path) as log:
        for chunk in log.chunks():
            if not chunk.check_magic():
                continue
            for record in chunk.records():
                out = {'record': record.record_num()}
                try:
                    root = ET.fromstring(record.xml())
                except Exception as e:  # noqa: BLE001
                    out['error'] = str(e)
                    print(json.dumps(out))
                    continue
                sys_el = root.find(NS + 'System')
                eid = sys_el.find(NS + 'EventID')
                out['eventId'] = eid.text if eid is not None else None
                tc = sys_el.find(NS + 'TimeCreated')
                out['time'] = tc.get('SystemTime') if tc is not None else None
                comp = sys_el.find(NS + 'Computer')
                out['computer'] = comp.text if comp is not None else None
                rid = sys_el.find(NS + 'EventRecordID')
                out['recordId'] = rid.text if rid is not None else None
                data = []
                ed = root.find(NS + 'EventData')
                if ed is not None:
                    i = 0
                    for d in ed:
                        if local(d.tag) == 'Data':
                            name = d.get('Name') or 'Data[%d]' % i
                            data.append([name, text_of(d)])
                            i += 1
                        else:
                            data.append([local(d.tag), text_of(d)])
                ud = root.find(NS + 'UserData')
                if ud is not None:
                    for el in ud.iter():
                        if el is not ud and len(el) == 0:
                            data.append([local(el.tag), text_of(el)])
                out['data'] = data
                print(json.dumps(out))


if __name__ == '__main__':
    main(sys.argv[1])
